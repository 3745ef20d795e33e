package dev.lodestone.sampler.internal;

import dev.lodestone.sampler.SamplerStats;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.service.MetricsSender;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sampler's metric events on {@code metrics}: every interval, and once at the end, the counters
 * of {@link SamplerStats} and the rates over the interval ({@code sampler/groupsPublished}, {@code
 * sampler/groupsPerSecond}, {@code sampler/tokensPerSecond}, {@code sampler/paused}, {@code
 * sampler/pausedSeconds}, {@code sampler/inFlight}, {@code sampler/inFlightBound}, {@code
 * sampler/policyVersion}, {@code sampler/swaps}, {@code sampler/badVersions}, {@code
 * sampler/promptsSkipped}, {@code sampler/promptsRejected}).
 */
public final class SamplerMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(SamplerMetrics.class);

  private final String samplerId;
  private final Map<String, String> tags;
  private final Duration interval;
  private final Supplier<SamplerStats> stats;
  private final LongSupplier policyStep;
  private final MetricsSender sender;
  private long since;
  private long groupsAt;
  private long tokensAt;

  /**
   * @param component the events' component
   * @param samplerId the events' instance id
   * @param tags the events' tags
   * @param interval the interval between two events
   * @param stats the sampler's counters
   * @param policyStep the learner step of the version sampled from (-1: none)
   * @param producer where the events go (not closed here)
   * @param values the event serializer
   * @param clock the events' time
   */
  public SamplerMetrics(
      String component,
      String samplerId,
      Map<String, String> tags,
      Duration interval,
      Supplier<SamplerStats> stats,
      LongSupplier policyStep,
      Producer<String, byte[]> producer,
      AvroSerializer<MetricEvent> values,
      Clock clock) {
    this.samplerId = samplerId;
    this.tags = Map.copyOf(tags);
    this.interval = interval;
    this.stats = stats;
    this.policyStep = policyStep;
    this.sender = new MetricsSender(component, samplerId, producer, values, clock);
    this.since = System.nanoTime();
  }

  /** Publishes an event when the interval is over, or now when {@code last}. */
  public void maybePublish(boolean last) {
    long now = System.nanoTime();
    long elapsed = now - since;
    if (!last && elapsed < interval.toNanos()) {
      return;
    }
    double seconds = Math.max(elapsed, 1) / 1e9;
    SamplerStats s = stats.get();
    double groupsPerSecond = (s.groupsPublished() - groupsAt) / seconds;
    double tokensPerSecond = (s.tokensGenerated() - tokensAt) / seconds;
    Map<String, Double> v = new LinkedHashMap<>();
    v.put("sampler/groupsPublished", (double) s.groupsPublished());
    v.put("sampler/groupsPerSecond", groupsPerSecond);
    v.put("sampler/tokensPerSecond", tokensPerSecond);
    v.put("sampler/paused", s.paused() ? 1.0 : 0.0);
    v.put("sampler/pausedSeconds", s.pausedSeconds());
    v.put("sampler/inFlight", (double) s.inFlight());
    v.put("sampler/inFlightBound", (double) s.inFlightBound());
    v.put("sampler/policyVersion", (double) s.policyVersion());
    v.put("sampler/swaps", (double) s.swaps());
    v.put("sampler/badVersions", (double) s.badVersions());
    v.put("sampler/promptsSkipped", (double) s.promptsSkipped());
    v.put("sampler/promptsRejected", (double) s.promptsRejected());
    sender.send(policyStep.getAsLong(), s.policyVersion(), v, tags);
    LOG.info(
        "{}: {} groups published, {} groups/s, {} tokens/s, version {}, {}in flight {}/{}",
        samplerId,
        s.groupsPublished(),
        String.format("%.1f", groupsPerSecond),
        String.format("%.0f", tokensPerSecond),
        s.policyVersion(),
        s.paused() ? "PAUSED, " : "",
        s.inFlight(),
        s.inFlightBound() < 0 ? "unbounded" : Long.toString(s.inFlightBound()));
    since = now;
    groupsAt = s.groupsPublished();
    tokensAt = s.tokensGenerated();
  }
}
