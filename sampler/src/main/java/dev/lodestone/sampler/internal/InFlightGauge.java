package dev.lodestone.sampler.internal;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The sampler's estimate of {@code producedGroups}: the sum of the end offsets of {@code samples},
 * read again at most every {@code refreshNanos}, plus the groups this sampler published since the
 * last read. The sampler flushes its producer after every batch, so no group of its own is in
 * flight when the offsets are read. Not thread-safe (the sampling thread owns it).
 */
public final class InFlightGauge {
  private final LongSupplier endOffsetsSum;
  private final LongSupplier nanoClock;
  private final long refreshNanos;
  private boolean read;
  private long readAt;
  private long endOffsets;
  private long sentSinceRead;
  private long reads;

  /**
   * @param endOffsetsSum reads the sum of the end offsets of {@code samples} from the broker
   * @param nanoClock a monotonic clock in nanoseconds
   * @param refreshNanos the longest a read is reused, at least 0
   */
  public InFlightGauge(LongSupplier endOffsetsSum, LongSupplier nanoClock, long refreshNanos) {
    this.endOffsetsSum = Objects.requireNonNull(endOffsetsSum, "endOffsetsSum");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    if (refreshNanos < 0) {
      throw new IllegalArgumentException("refreshNanos must be >= 0, got " + refreshNanos);
    }
    this.refreshNanos = refreshNanos;
  }

  /** The estimate of produced groups, reading the end offsets again when the last read is old. */
  public long produced() {
    long now = nanoClock.getAsLong();
    if (!read || now - readAt >= refreshNanos) {
      endOffsets = endOffsetsSum.getAsLong();
      readAt = now;
      read = true;
      sentSinceRead = 0;
      reads++;
    }
    return endOffsets + sentSinceRead;
  }

  /** Records groups this sampler published (and flushed). */
  public void sent(long groups) {
    sentSinceRead += groups;
  }

  /** How many times the end offsets were read. */
  public long reads() {
    return reads;
  }
}
