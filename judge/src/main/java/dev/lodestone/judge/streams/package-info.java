/**
 * The judge and label-join Kafka Streams applications (exactly-once) and their services.
 *
 * <ul>
 *   <li>{@link dev.lodestone.judge.streams.JudgeTopology} / {@link
 *       dev.lodestone.judge.streams.JudgeService}: {@code samples} → {@code labels}, one label per
 *       pair from a {@link dev.lodestone.judge.PairJudge}.
 *   <li>{@link dev.lodestone.judge.streams.LabelJoinTopology} / {@link
 *       dev.lodestone.judge.streams.LabelJoinService}: {@code samples} + {@code labels} → {@code
 *       labeled}, a group with the mean preference of every pair once every pair has a quorum of
 *       labels from distinct judges.
 *   <li>Configuration records validated in their constructors: {@link
 *       dev.lodestone.judge.streams.StreamsAppConfig}, {@link
 *       dev.lodestone.judge.streams.SampleGroupLimits}, {@link
 *       dev.lodestone.judge.streams.JudgeConfig}, {@link
 *       dev.lodestone.judge.streams.LabelJoinConfig}.
 *   <li>Counters published as {@code MetricEvent}s: {@link
 *       dev.lodestone.judge.streams.JudgeCounters}, {@link
 *       dev.lodestone.judge.streams.LabelJoinCounters}.
 * </ul>
 *
 * Topologies are pure factories; the services add only the lifecycle (start waits for Kafka Streams
 * to run, failures end in FAILED with their cause, close stops and releases everything). Every
 * input is read as bytes and decoded by the schemas serdes, so bad records go to {@code
 * dead-letters} with a reason code while the application keeps going.
 */
package dev.lodestone.judge.streams;
