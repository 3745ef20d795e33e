package dev.lodestone.policy.internal;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.WeightsFormatException;
import dev.lodestone.policy.WeightsFormatException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Parameter values on the host: seeded initialisation and the weights blob format.
 *
 * <p>Blob layout (big-endian header, little-endian floats):
 *
 * <pre>
 *   magic          8 bytes  "LDSTWGT1"
 *   format version int      1
 *   config length  int      n
 *   config         n bytes  ModelConfig JSON, UTF-8
 *   payload length long     m
 *   payload sha256 32 bytes SHA-256 of the payload
 *   payload        m bytes  per parameter, in block order:
 *                             name length int, name UTF-8, rank int, dims long[rank],
 *                             float32 values, little-endian, row-major
 * </pre>
 */
public final class Weights {

  /** The first 8 bytes of every blob. */
  public static final byte[] MAGIC = "LDSTWGT1".getBytes(StandardCharsets.US_ASCII);

  /** The format version this build writes and reads. */
  public static final int FORMAT_VERSION = 1;

  private Weights() {}

  /** A parameter's name, shape and values. */
  public record Tensor(String name, Shape shape, float[] values) {}

  /** A parameter with its unique name in the block (e.g. {@code 01layer0_qkv_weight}). */
  public record Named(String name, Parameter parameter, Shape shape) {}

  /** A parsed blob. */
  public record Blob(ModelConfig config, List<Tensor> tensors) {}

  /**
   * Seeded initialisation, identical on every engine and device: GPT-2's scheme (normal 0.02 for
   * embeddings and input projections, 0.02 / sqrt(2 layers) for the projections that write to the
   * residual stream, 0.01 for positions, ones and zeros for norms and biases), drawn from {@code
   * java.util.Random(seed)} in block order.
   */
  public static List<Tensor> initial(ModelConfig config, List<Named> params, long seed) {
    Random rng = new Random(seed);
    double residualStd = 0.02 / Math.sqrt(2.0 * config.layers());
    List<Tensor> out = new ArrayList<>(params.size());
    for (Named named : params) {
      Parameter p = named.parameter();
      String name = named.name();
      float[] v = new float[Math.toIntExact(named.shape().size())];
      if (name.endsWith("gamma")) {
        Arrays.fill(v, 1f);
      } else if (name.endsWith("beta") || name.endsWith("bias")) {
        // zeros
      } else {
        double std;
        if (name.equals("position_embedding")) {
          std = 0.01;
        } else if (name.endsWith("proj_weight") || name.endsWith("fc2_weight")) {
          std = residualStd;
        } else {
          std = 0.02;
        }
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (rng.nextGaussian() * std);
        }
      }
      out.add(new Tensor(name, named.shape(), v));
    }
    return out;
  }

  /** Writes a blob. */
  public static byte[] encode(ModelConfig config, List<Tensor> tensors) {
    int payloadSize = 0;
    for (Tensor t : tensors) {
      payloadSize +=
          4
              + t.name().getBytes(StandardCharsets.UTF_8).length
              + 4
              + 8 * t.shape().dimension()
              + 4 * t.values().length;
    }
    ByteBuffer payload = ByteBuffer.allocate(payloadSize);
    for (Tensor t : tensors) {
      byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
      payload.order(ByteOrder.BIG_ENDIAN);
      payload.putInt(name.length).put(name).putInt(t.shape().dimension());
      for (long dim : t.shape().getShape()) {
        payload.putLong(dim);
      }
      payload.order(ByteOrder.LITTLE_ENDIAN);
      payload.asFloatBuffer().put(t.values());
      payload.position(payload.position() + 4 * t.values().length);
    }
    byte[] payloadBytes = payload.array();
    byte[] json = config.toJson().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(8 + 4 + 4 + json.length + 8 + 32 + payloadBytes.length);
    out.put(MAGIC)
        .putInt(FORMAT_VERSION)
        .putInt(json.length)
        .put(json)
        .putLong(payloadBytes.length)
        .put(sha256(payloadBytes))
        .put(payloadBytes);
    return out.array();
  }

  /**
   * Reads the architecture from a blob's header without checking the payload.
   *
   * @throws WeightsFormatException when the header is unreadable
   */
  public static ModelConfig peekConfig(byte[] blob) {
    return readHeader(blob).config;
  }

  /**
   * Reads and checks a blob: magic, format version, configuration, payload length and hash, and
   * that the payload holds exactly the parameters of the declared architecture.
   *
   * @param expectedNamesAndShapes the parameters the declared architecture has, in order
   * @throws WeightsFormatException with the reason and what was found
   */
  public static Blob decode(byte[] blob, List<Named> expectedNamesAndShapes) {
    Header h = readHeader(blob);
    ByteBuffer in = h.payload;
    List<Tensor> tensors = new ArrayList<>(expectedNamesAndShapes.size());
    try {
      for (Named expected : expectedNamesAndShapes) {
        in.order(ByteOrder.BIG_ENDIAN);
        int nameLength = in.getInt();
        if (nameLength < 0 || nameLength > in.remaining()) {
          throw badPayload("parameter name length " + nameLength + " is impossible");
        }
        byte[] nameBytes = new byte[nameLength];
        in.get(nameBytes);
        String name = new String(nameBytes, StandardCharsets.UTF_8);
        int rank = in.getInt();
        if (rank < 0 || rank > 8) {
          throw badPayload("parameter " + name + " has rank " + rank);
        }
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
          dims[i] = in.getLong();
        }
        Shape shape = new Shape(dims);
        if (!name.equals(expected.name()) || !shape.equals(expected.shape())) {
          throw badPayload(
              "expected parameter "
                  + expected.name()
                  + " "
                  + expected.shape()
                  + " of the declared architecture, found "
                  + name
                  + " "
                  + shape);
        }
        int count = Math.toIntExact(shape.size());
        if ((long) count * 4 > in.remaining()) {
          throw badPayload("parameter " + name + " is cut short");
        }
        float[] values = new float[count];
        in.order(ByteOrder.LITTLE_ENDIAN);
        in.asFloatBuffer().get(values);
        in.position(in.position() + 4 * count);
        tensors.add(new Tensor(name, shape, values));
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw badPayload("the payload ends inside a parameter record");
    }
    if (in.hasRemaining()) {
      throw badPayload(in.remaining() + " bytes follow the last parameter");
    }
    return new Blob(h.config, tensors);
  }

  /** Lower-case hex SHA-256. */
  public static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256(bytes));
  }

  /** SHA-256 of {@code bytes}. */
  public static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }

  private record Header(ModelConfig config, ByteBuffer payload) {}

  private static Header readHeader(byte[] blob) {
    if (blob == null) {
      throw new WeightsFormatException(Reason.TRUNCATED, "weights blob is null");
    }
    if (blob.length < MAGIC.length) {
      throw new WeightsFormatException(
          Reason.TRUNCATED, "weights blob has " + blob.length + " bytes, shorter than its header");
    }
    if (!Arrays.equals(Arrays.copyOf(blob, MAGIC.length), MAGIC)) {
      throw new WeightsFormatException(
          Reason.BAD_MAGIC,
          "not a Lodestone weights blob: it starts with "
              + HexFormat.of().formatHex(Arrays.copyOf(blob, MAGIC.length))
              + ", expected "
              + HexFormat.of().formatHex(MAGIC)
              + " (\"LDSTWGT1\")");
    }
    ByteBuffer in = ByteBuffer.wrap(blob).order(ByteOrder.BIG_ENDIAN);
    in.position(MAGIC.length);
    if (in.remaining() < 8) {
      throw truncated(blob.length);
    }
    int version = in.getInt();
    if (version != FORMAT_VERSION) {
      throw new WeightsFormatException(
          Reason.UNSUPPORTED_VERSION,
          "weights format version "
              + version
              + " is not supported; this build reads version "
              + FORMAT_VERSION);
    }
    int jsonLength = in.getInt();
    if (jsonLength < 0 || jsonLength > in.remaining()) {
      throw new WeightsFormatException(
          Reason.TRUNCATED,
          "weights header declares a " + jsonLength + "-byte config but the blob is shorter");
    }
    byte[] json = new byte[jsonLength];
    in.get(json);
    ModelConfig config;
    try {
      config = ModelConfig.fromJson(new String(json, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new WeightsFormatException(
          Reason.BAD_CONFIG, "weights header holds an invalid model config: " + e.getMessage());
    }
    if (in.remaining() < 8 + 32) {
      throw truncated(blob.length);
    }
    long payloadLength = in.getLong();
    byte[] hash = new byte[32];
    in.get(hash);
    if (payloadLength != in.remaining()) {
      throw new WeightsFormatException(
          payloadLength > in.remaining() ? Reason.TRUNCATED : Reason.BAD_PAYLOAD,
          "weights header declares a payload of "
              + payloadLength
              + " bytes but "
              + in.remaining()
              + " follow");
    }
    ByteBuffer payload = in.slice();
    byte[] payloadBytes = new byte[payload.remaining()];
    payload.duplicate().get(payloadBytes);
    byte[] actual = sha256(payloadBytes);
    if (!MessageDigest.isEqual(actual, hash)) {
      throw new WeightsFormatException(
          Reason.HASH_MISMATCH,
          "weights payload is corrupt: SHA-256 "
              + HexFormat.of().formatHex(actual)
              + " differs from "
              + HexFormat.of().formatHex(hash)
              + " in the header");
    }
    return new Header(config, payload);
  }

  private static WeightsFormatException truncated(int length) {
    return new WeightsFormatException(
        Reason.TRUNCATED, "weights blob of " + length + " bytes ends inside its header");
  }

  private static WeightsFormatException badPayload(String detail) {
    return new WeightsFormatException(
        Reason.BAD_PAYLOAD, "weights payload is malformed: " + detail);
  }
}
