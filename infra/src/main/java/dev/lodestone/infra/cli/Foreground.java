package dev.lodestone.infra.cli;

import dev.lodestone.service.Service;
import dev.lodestone.service.ServiceException;
import dev.lodestone.service.ServiceState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/**
 * The life of the components a command runs in the foreground ({@code lodestone sampler | judge |
 * learner}): start them, wait until one ends by itself or a signal arrives, and turn a failure into
 * a message on standard error and exit status 1.
 */
final class Foreground {
  private Foreground() {}

  /**
   * Starts each service in order; when one does not start, prints {@code lodestone COMMAND: reason}
   * and returns false.
   */
  static boolean start(
      List<? extends Service> services, Duration timeout, String command, PrintWriter err) {
    try {
      for (Service s : services) {
        s.start(timeout);
      }
      return true;
    } catch (ServiceException e) {
      err.println("lodestone " + command + ": " + e.getMessage());
      err.flush();
      return false;
    }
  }

  /** Returns once one of the services has ended by itself or a signal asked the command to stop. */
  static void await(List<? extends Service> services, Signals signals) throws InterruptedException {
    while (services.stream().noneMatch(s -> s.state().isTerminal()) && !signals.sleep(200)) {
      // The services work on their own threads.
    }
  }

  /**
   * 1 after printing the first failed service's cause ({@code lodestone COMMAND: failed: cause},
   * with the service's name before "failed" when {@code named}), 0 when none failed.
   */
  static int exitStatus(
      List<? extends Service> services, String command, boolean named, PrintWriter err) {
    for (Service s : services) {
      if (s.state() == ServiceState.FAILED) {
        err.println(
            "lodestone "
                + command
                + ": "
                + (named ? s.name() + " " : "")
                + "failed: "
                + s.failure().map(Throwable::toString).orElse("unknown cause"));
        err.flush();
        return 1;
      }
    }
    return 0;
  }
}
