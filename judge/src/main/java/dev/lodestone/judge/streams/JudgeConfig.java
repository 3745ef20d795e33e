package dev.lodestone.judge.streams;

import java.util.Objects;

/**
 * The configuration of a judge application ({@link JudgeTopology}, {@link JudgeService}).
 *
 * @param streams the Kafka Streams settings; instances of one judge share the application id
 * @param limits the size limits of sample groups
 */
public record JudgeConfig(StreamsAppConfig streams, SampleGroupLimits limits) {

  public JudgeConfig {
    Objects.requireNonNull(streams, "streams");
    Objects.requireNonNull(limits, "limits");
  }

  /** A judge with the default limits. */
  public static JudgeConfig of(StreamsAppConfig streams) {
    return new JudgeConfig(streams, SampleGroupLimits.DEFAULT);
  }
}
