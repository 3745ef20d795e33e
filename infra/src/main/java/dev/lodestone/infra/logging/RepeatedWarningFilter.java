package dev.lodestone.infra.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Marker;

/**
 * Lets a warning of the loggers under {@link #setLogger(String) a prefix} through once, and drops
 * the same warning again (the same message pattern from the same client) for {@link
 * #setQuietSeconds(long) quiet seconds}. Kafka's network client warns several times a second per
 * client while a broker is down ("Connection to node 1 ... could not be established"); with this
 * filter each client says it once per outage of up to that length. Other loggers and levels pass
 * untouched. Configured in {@code logback.xml}.
 */
public final class RepeatedWarningFilter extends TurboFilter {
  private static final int MAX_PATTERNS = 1024;

  private final LongSupplier nanoClock;
  private String logger = "org.apache.kafka.clients.NetworkClient";
  private long quietNanos = 600_000_000_000L;
  private final Map<String, Long> lastPassed =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > MAX_PATTERNS;
        }
      };
  private long dropped;

  /** A filter on the system's monotonic clock. */
  public RepeatedWarningFilter() {
    this(System::nanoTime);
  }

  /** A filter on the given clock (nanoseconds), for tests. */
  public RepeatedWarningFilter(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /** The logger-name prefix whose repeated warnings are dropped. */
  public void setLogger(String logger) {
    this.logger = logger;
  }

  /** How long a warning, once through, is not repeated. */
  public void setQuietSeconds(long seconds) {
    if (seconds < 0) {
      throw new IllegalArgumentException("quietSeconds must be >= 0, got " + seconds);
    }
    this.quietNanos = seconds * 1_000_000_000L;
  }

  /** How many warnings were dropped so far. */
  public synchronized long dropped() {
    return dropped;
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger log, Level level, String format, Object[] params, Throwable t) {
    if (format == null
        || level == null
        || level.toInt() != Level.WARN_INT
        || !log.getName().startsWith(logger)) {
      return FilterReply.NEUTRAL;
    }
    String key = log.getName() + '\u0000' + format;
    long now = nanoClock.getAsLong();
    synchronized (this) {
      Long last = lastPassed.get(key);
      if (last != null && now - last < quietNanos) {
        dropped++;
        return FilterReply.DENY;
      }
      lastPassed.put(key, now);
    }
    return FilterReply.NEUTRAL;
  }
}
