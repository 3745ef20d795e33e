package dev.lodestone.judge.streams.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * The binary layout of the label join's three state stores. Keys sort by their bytes (RocksDB
 * order), which the join relies on: a group's labels are contiguous and ordered by pair, then by
 * judge id; deadlines are ordered by time. Values start with a format version byte.
 *
 * <pre>
 * groups     key: groupId (UTF-8)                                  value: {@link GroupState}
 * labels     key: len(groupId) groupId i j judgeId  (int32 BE)      value: {@link LabelState}
 * deadlines  key: deadlineMs (int64 BE) groupId                     value: empty
 * </pre>
 */
public final class JoinState {
  private JoinState() {}

  /** The format version written by this code. */
  public static final byte VERSION = 1;

  private static final byte[] EMPTY = new byte[0];

  /** The key of a group in the groups store. */
  public static Bytes groupKey(String groupId) {
    return Bytes.wrap(utf8(groupId));
  }

  /** The prefix of every label key of a group. */
  public static Bytes labelPrefix(String groupId) {
    byte[] id = utf8(groupId);
    return Bytes.wrap(ByteBuffer.allocate(4 + id.length).putInt(id.length).put(id).array());
  }

  /** The prefix of the label keys of one pair of a group. */
  public static Bytes pairPrefix(String groupId, int i, int j) {
    byte[] id = utf8(groupId);
    return Bytes.wrap(
        ByteBuffer.allocate(12 + id.length).putInt(id.length).put(id).putInt(i).putInt(j).array());
  }

  /** The key of one judge's label for pair (i, j), i &lt; j, of a group. */
  public static Bytes labelKey(String groupId, int i, int j, String judgeId) {
    byte[] id = utf8(groupId);
    byte[] judge = utf8(judgeId);
    return Bytes.wrap(
        ByteBuffer.allocate(12 + id.length + judge.length)
            .putInt(id.length)
            .put(id)
            .putInt(i)
            .putInt(j)
            .put(judge)
            .array());
  }

  /** A decoded label key. */
  public record LabelKey(String groupId, int i, int j, String judgeId) {}

  /** Decodes a label key. */
  public static LabelKey decodeLabelKey(Bytes key) {
    ByteBuffer b = ByteBuffer.wrap(key.get());
    byte[] id = new byte[b.getInt()];
    b.get(id);
    int i = b.getInt();
    int j = b.getInt();
    byte[] judge = new byte[b.remaining()];
    b.get(judge);
    return new LabelKey(
        new String(id, StandardCharsets.UTF_8), i, j, new String(judge, StandardCharsets.UTF_8));
  }

  /** The key of a group's deadline in the deadlines store. */
  public static Bytes deadlineKey(long deadlineMs, String groupId) {
    if (deadlineMs < 0) {
      throw new IllegalArgumentException("deadlineMs must be >= 0, got " + deadlineMs);
    }
    byte[] id = utf8(groupId);
    return Bytes.wrap(ByteBuffer.allocate(8 + id.length).putLong(deadlineMs).put(id).array());
  }

  /** The deadline of a deadlines-store key. */
  public static long deadlineOf(Bytes key) {
    return ByteBuffer.wrap(key.get()).getLong();
  }

  /** The group id of a deadlines-store key. */
  public static String groupIdOfDeadline(Bytes key) {
    byte[] k = key.get();
    return new String(k, 8, k.length - 8, StandardCharsets.UTF_8);
  }

  /** The emitted store's value: when the group was emitted and how many responses it had. */
  public static byte[] encodeEmitted(long ms, int groupSize) {
    return ByteBuffer.allocate(Long.BYTES + Integer.BYTES).putLong(ms).putInt(groupSize).array();
  }

  /** The emission time of {@link #encodeEmitted}. */
  public static long emittedMillis(byte[] value) {
    return ByteBuffer.wrap(value).getLong();
  }

  /** The group size of {@link #encodeEmitted}; {@code Integer.MAX_VALUE} when not recorded. */
  public static int emittedGroupSize(byte[] value) {
    return value.length < Long.BYTES + Integer.BYTES
        ? Integer.MAX_VALUE
        : ByteBuffer.wrap(value).getInt(Long.BYTES);
  }

  /** The value of a deadlines-store entry. */
  public static byte[] deadlineValue() {
    return EMPTY;
  }

  /**
   * A pending group.
   *
   * @param sample the sample group's record value as it arrived (wire format), or null while only
   *     labels have arrived
   * @param samplePartition the sample's partition, or -1
   * @param sampleOffset the sample's offset, or -1
   * @param groupSize G, or 0 while the sample has not arrived
   * @param firstSeenMs wall-clock time of the first record about the group
   * @param deadlineMs when the group or its oldest label is given up
   * @param completePairs pairs with at least the quorum of labels (0 while the sample is unknown)
   */
  public record GroupState(
      byte[] sample,
      int samplePartition,
      long sampleOffset,
      int groupSize,
      long firstSeenMs,
      long deadlineMs,
      int completePairs) {

    /** Whether the sample group has arrived. */
    public boolean hasSample() {
      return sample != null;
    }

    /** A copy with another deadline. */
    public GroupState withDeadline(long deadline) {
      return new GroupState(
          sample, samplePartition, sampleOffset, groupSize, firstSeenMs, deadline, completePairs);
    }

    /** A copy with another count of complete pairs. */
    public GroupState withCompletePairs(int complete) {
      return new GroupState(
          sample, samplePartition, sampleOffset, groupSize, firstSeenMs, deadlineMs, complete);
    }

    /** The encoded value. */
    public byte[] encode() {
      return write(
          out -> {
            out.writeByte(VERSION);
            out.writeBoolean(sample != null);
            if (sample != null) {
              out.writeInt(sample.length);
              out.write(sample);
            }
            out.writeInt(samplePartition);
            out.writeLong(sampleOffset);
            out.writeInt(groupSize);
            out.writeLong(firstSeenMs);
            out.writeLong(deadlineMs);
            out.writeInt(completePairs);
          });
    }

    /** Decodes a value written by {@link #encode()}. */
    public static GroupState decode(byte[] value) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
        checkVersion(in.readByte(), "group");
        byte[] sample = null;
        if (in.readBoolean()) {
          sample = new byte[in.readInt()];
          in.readFully(sample);
        }
        return new GroupState(
            sample,
            in.readInt(),
            in.readLong(),
            in.readInt(),
            in.readLong(),
            in.readLong(),
            in.readInt());
      } catch (IOException e) {
        throw new IllegalStateException("corrupt label-join group state", e);
      }
    }
  }

  /**
   * One judge's label for one pair, oriented i &lt; j.
   *
   * @param probability P(i preferred over j)
   * @param partition the label's partition in {@code labels}
   * @param offset the label's offset in {@code labels}
   * @param value the label's record value as it arrived, for its dead letter if it is given up
   * @param arrivedMs wall-clock time of arrival at the join
   */
  public record LabelState(
      double probability, int partition, long offset, byte[] value, long arrivedMs) {

    /** The encoded value. */
    public byte[] encode() {
      return write(
          out -> {
            out.writeByte(VERSION);
            out.writeDouble(probability);
            out.writeInt(partition);
            out.writeLong(offset);
            out.writeInt(value.length);
            out.write(value);
            out.writeLong(arrivedMs);
          });
    }

    /** Decodes a value written by {@link #encode()}. */
    public static LabelState decode(byte[] value) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
        checkVersion(in.readByte(), "label");
        double p = in.readDouble();
        int partition = in.readInt();
        long offset = in.readLong();
        byte[] raw = new byte[in.readInt()];
        in.readFully(raw);
        return new LabelState(p, partition, offset, raw, in.readLong());
      } catch (IOException e) {
        throw new IllegalStateException("corrupt label-join label state", e);
      }
    }
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] write(Writer writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void checkVersion(byte version, String what) {
    if (version != VERSION) {
      throw new IllegalStateException(
          "label-join "
              + what
              + " state has format version "
              + version
              + "; this code reads version "
              + VERSION);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
