package dev.lodestone.judge.streams;

import dev.lodestone.judge.streams.internal.StreamsRunner;
import dev.lodestone.service.Service;
import dev.lodestone.service.ServiceState;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A Kafka Streams application as a {@link Service}: the lifecycle is the {@link StreamsRunner}'s,
 * which a subclass sets up once, in its constructor, with {@link #runs}.
 */
abstract class StreamsService implements Service {
  private final String name;
  private StreamsRunner runner;

  StreamsService(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  /** Sets the application this service runs; called once, by the subclass's constructor. */
  protected final void runs(StreamsRunner.Spec spec) {
    if (runner != null) {
      throw new IllegalStateException(name + " already runs " + runner);
    }
    runner = new StreamsRunner(spec);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final ServiceState state() {
    return runner.state();
  }

  @Override
  public final void start(Duration timeout) {
    runner.start(timeout);
  }

  @Override
  public final Optional<Throwable> failure() {
    return runner.failure();
  }

  @Override
  public final void close() {
    runner.close();
  }

  /** Kafka Streams' own state (RUNNING, REBALANCING, ...), or empty before start. */
  public final Optional<KafkaStreams.State> streamsState() {
    return runner.streamsState();
  }
}
