package dev.lodestone.infra.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RepeatedWarningFilterTest {
  private static final String NETWORK = "org.apache.kafka.clients.NetworkClient";
  private static final String REFUSED =
      "[Producer clientId=s1] Connection to node {} ({}) could not be established.";

  @Test
  void shouldLetEachClientsWarningThroughOncePerQuietPeriod() {
    AtomicLong clock = new AtomicLong();
    LoggerContext context = new LoggerContext();
    RepeatedWarningFilter filter = new RepeatedWarningFilter(clock::get);
    filter.setQuietSeconds(600);
    filter.setContext(context);
    filter.start();
    context.addTurboFilter(filter);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.setContext(context);
    events.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(events);
    Logger network = context.getLogger(NETWORK);
    Logger ours = context.getLogger("dev.lodestone.sampler.SamplerService");

    for (int i = 0; i < 300; i++) { // a 5-minute outage at one warning a second
      network.warn(REFUSED, 1, "/127.0.0.1:9092");
      network.warn(REFUSED.replace("s1", "s2"), 1, "/127.0.0.1:9092");
      ours.warn("{}: waiting", "s1");
      network.error("an error {}", i);
      clock.addAndGet(1_000_000_000L);
    }
    assertThat(events.list.stream().filter(e -> e.getLoggerName().equals(NETWORK)))
        .filteredOn(e -> e.getLevel().toString().equals("WARN"))
        .hasSize(2); // once per client
    assertThat(events.list.stream().filter(e -> e.getLoggerName().startsWith("dev.lodestone")))
        .hasSize(300);
    assertThat(events.list.stream().filter(e -> e.getLevel().toString().equals("ERROR")))
        .hasSize(300);
    assertThat(filter.dropped()).isEqualTo(598);

    clock.addAndGet(300_000_000_000L); // 10 minutes after the first: a new outage says it again
    network.warn(REFUSED, 1, "/127.0.0.1:9092");
    assertThat(events.list.stream().filter(e -> e.getLoggerName().equals(NETWORK)))
        .filteredOn(e -> e.getLevel().toString().equals("WARN"))
        .hasSize(3);
  }
}
