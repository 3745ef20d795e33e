package dev.lodestone.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collection;

/** Checks and picks TCP ports before the stack binds them. */
final class Ports {
  private Ports() {}

  /** The address of {@code host}, or a clear error if it does not resolve. */
  static InetAddress resolve(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new LocalStackException("host '" + host + "' does not resolve to an address", e);
    }
  }

  /**
   * Throws {@link PortInUseException} if {@code port} on {@code host} cannot be bound now. The
   * probe binds and releases the port at once (with SO_REUSEADDR, as the broker binds it).
   */
  static void requireFree(String host, int port, PortInUseException.Purpose purpose) {
    InetAddress address = resolve(host);
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(address, port));
    } catch (IOException e) {
      throw new PortInUseException(host, port, purpose, e);
    }
  }

  /** A port on {@code host} that the system reports free and that is not in {@code taken}. */
  static int pickFree(String host, Collection<Integer> taken) {
    InetAddress address = resolve(host);
    for (int attempt = 0; attempt < 20; attempt++) {
      try (ServerSocket probe = new ServerSocket()) {
        probe.setReuseAddress(true);
        probe.bind(new InetSocketAddress(address, 0));
        int port = probe.getLocalPort();
        if (!taken.contains(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot bind any port on " + host, e);
      }
    }
    throw new LocalStackException("found no free port on " + host + " after 20 attempts");
  }

  /** Whether a TCP connection to {@code host:port} is accepted within {@code timeout}. */
  static boolean accepts(String host, int port, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
