package dev.lodestone.policy.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One file in Hugging Face's safetensors format (https://huggingface.co/docs/safetensors): an
 * 8-byte little-endian header length, a JSON header that maps each tensor's name to its dtype,
 * shape and byte range in the data section ({@code data_offsets}, relative to the end of the
 * header), an optional {@code __metadata__} map of strings, then the raw little-endian data.
 *
 * <p>{@link #open(Path)} reads and checks the header only: every range lies inside the file, ranges
 * do not overlap, and each range's length is its shape times its dtype's size. A file that fails is
 * refused with a {@link CheckpointFormatException} naming the file and, where one is at fault, the
 * tensor. Tensors are read one at a time by {@link #readFloats(String)}, converted to float32 from
 * F32, F16 or BF16.
 *
 * <p>{@link #write} writes the format (header padded with spaces to a multiple of 8 bytes, as
 * Hugging Face's writer does), tensors in the order given, as F32, F16 or BF16.
 */
public final class Safetensors {

  /** The dtypes Lodestone reads and writes, with their sizes in bytes. */
  public enum Dtype {
    /** IEEE 754 single precision. */
    F32(4, "float32"),
    /** IEEE 754 half precision. */
    F16(2, "float16"),
    /** bfloat16: the upper half of a float32. */
    BF16(2, "bfloat16");

    private final int bytes;
    private final String torchName;

    Dtype(int bytes, String torchName) {
      this.bytes = bytes;
      this.torchName = torchName;
    }

    /** The name a Hugging Face config gives it ({@code torch_dtype}). */
    public String torchName() {
      return torchName;
    }

    /** Bytes per element. */
    public int bytes() {
      return bytes;
    }

    /** The dtype named {@code name} in a header, or null for one Lodestone does not read. */
    static Dtype parse(String name) {
      for (Dtype d : values()) {
        if (d.name().equals(name)) {
          return d;
        }
      }
      return null;
    }
  }

  /** Sizes of the dtypes the format defines, so that any valid header can be checked. */
  private static final Map<String, Integer> FORMAT_DTYPE_BYTES =
      Map.ofEntries(
          Map.entry("BOOL", 1),
          Map.entry("U8", 1),
          Map.entry("I8", 1),
          Map.entry("F8_E5M2", 1),
          Map.entry("F8_E4M3", 1),
          Map.entry("I16", 2),
          Map.entry("U16", 2),
          Map.entry("F16", 2),
          Map.entry("BF16", 2),
          Map.entry("I32", 4),
          Map.entry("U32", 4),
          Map.entry("F32", 4),
          Map.entry("I64", 8),
          Map.entry("U64", 8),
          Map.entry("F64", 8));

  /** Largest header accepted (the reference implementation's limit is 100 MB). */
  private static final long MAX_HEADER_BYTES = 100L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One tensor's entry in the header.
   *
   * @param name the tensor's name
   * @param dtype the dtype as the header spells it ({@code F32}, {@code BF16}, ...)
   * @param shape the shape, outermost dimension first
   * @param begin the first byte in the data section
   * @param end one past the last byte in the data section
   */
  public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {

    /** The number of elements (1 for a scalar). */
    public long elements() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }

    /** The shape as {@code [a, b]}. */
    public String shapeString() {
      return Arrays.toString(shape);
    }
  }

  /** A float32 tensor to write: its shape and row-major values. */
  public record Tensor(long[] shape, float[] values) {

    /** Checks that the values fill the shape. */
    public Tensor {
      long n = 1;
      for (long d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
        }
        n *= d;
      }
      if (n != values.length) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " holds " + n + " values, got " + values.length);
      }
    }
  }

  private final Path file;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private Safetensors(
      Path file, long dataStart, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    this.file = file;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * Reads and checks the header of {@code file}.
   *
   * @throws CheckpointFormatException if the file is missing, truncated or not a valid safetensors
   *     file; the message names the file and, where one is at fault, the tensor
   * @throws IOException if the file cannot be read
   */
  public static Safetensors open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new CheckpointFormatException(file, "missing (no such file)");
    }
    long size = Files.size(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (size < 8) {
        throw new CheckpointFormatException(
            file, "truncated: " + size + " bytes, shorter than the 8-byte header length");
      }
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, len, 0);
      long headerBytes = len.flip().getLong();
      if (headerBytes < 2 || headerBytes > MAX_HEADER_BYTES) {
        throw new CheckpointFormatException(
            file, "not a safetensors file: header length " + headerBytes + " bytes");
      }
      if (8 + headerBytes > size) {
        throw new CheckpointFormatException(
            file,
            "truncated: the header declares "
                + headerBytes
                + " bytes, the file has "
                + (size - 8)
                + " after the length");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
      readFully(ch, header, 8);
      JsonNode root;
      try {
        root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
      } catch (JsonProcessingException e) {
        throw new CheckpointFormatException(
            file,
            "not a safetensors file: the header is not JSON (" + e.getOriginalMessage() + ")");
      }
      if (root == null || !root.isObject()) {
        throw new CheckpointFormatException(
            file, "not a safetensors file: the header is not a JSON object");
      }
      long dataStart = 8 + headerBytes;
      return parse(file, (ObjectNode) root, dataStart, size - dataStart);
    }
  }

  private static Safetensors parse(Path file, ObjectNode root, long dataStart, long dataBytes) {
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      JsonNode v = e.getValue();
      if (name.equals("__metadata__")) {
        if (!v.isObject()) {
          throw new CheckpointFormatException(file, "__metadata__ is not a map of strings");
        }
        v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      String dtype = v.path("dtype").asText(null);
      JsonNode shapeNode = v.path("shape");
      JsonNode offsets = v.path("data_offsets");
      if (dtype == null || !shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
        throw new CheckpointFormatException(
            file, name, "the header entry lacks dtype, shape or a pair of data_offsets");
      }
      Integer elementBytes = FORMAT_DTYPE_BYTES.get(dtype);
      if (elementBytes == null) {
        throw new CheckpointFormatException(file, name, "unknown dtype " + dtype);
      }
      long[] shape = new long[shapeNode.size()];
      long elements = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shapeNode.get(i).asLong(-1);
        if (shape[i] < 0) {
          throw new CheckpointFormatException(file, name, "bad shape " + shapeNode);
        }
        elements = Math.multiplyExact(elements, shape[i]);
      }
      long begin = offsets.get(0).asLong(-1);
      long end = offsets.get(1).asLong(-1);
      if (begin < 0 || end < begin) {
        throw new CheckpointFormatException(file, name, "bad data_offsets " + offsets);
      }
      if (end - begin != elements * elementBytes) {
        throw new CheckpointFormatException(
            file,
            name,
            "data_offsets "
                + offsets
                + " hold "
                + (end - begin)
                + " bytes, shape "
                + shapeNode
                + " of "
                + dtype
                + " needs "
                + elements * elementBytes);
      }
      if (end > dataBytes) {
        throw new CheckpointFormatException(
            file,
            name,
            "truncated: the tensor's data ends at byte "
                + end
                + " of the data section, which has "
                + dataBytes
                + " bytes");
      }
      tensors.put(name, new TensorInfo(name, dtype, shape, begin, end));
    }
    List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
    byOffset.sort((a, b) -> Long.compare(a.begin(), b.begin()));
    for (int i = 1; i < byOffset.size(); i++) {
      if (byOffset.get(i).begin() < byOffset.get(i - 1).end()) {
        throw new CheckpointFormatException(
            file,
            byOffset.get(i).name(),
            "its data overlaps that of " + byOffset.get(i - 1).name());
      }
    }
    return new Safetensors(
        file,
        dataStart,
        Collections.unmodifiableMap(tensors),
        Collections.unmodifiableMap(metadata));
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /** The tensors by name, in the header's order. */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  /** The header's {@code __metadata__} (empty if absent). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Reads tensor {@code name} as float32 values, row-major.
   *
   * @throws CheckpointFormatException if there is no such tensor or its dtype is not F32, F16 or
   *     BF16
   */
  public float[] readFloats(String name) throws IOException {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new CheckpointFormatException(file, name, "no such tensor in the file");
    }
    Dtype dtype = Dtype.parse(t.dtype());
    if (dtype == null) {
      throw new CheckpointFormatException(
          file,
          name,
          "dtype " + t.dtype() + " is not a float dtype Lodestone reads (F32, F16, BF16)");
    }
    long bytes = t.end() - t.begin();
    if (bytes > Integer.MAX_VALUE) {
      throw new CheckpointFormatException(file, name, "larger than 2 GiB");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      readFully(ch, buf, dataStart + t.begin());
    }
    buf.flip();
    float[] out = new float[(int) t.elements()];
    switch (dtype) {
      case F32 -> buf.asFloatBuffer().get(out);
      case BF16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
        }
      }
      case F16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = halfToFloat(buf.getShort());
        }
      }
    }
    return out;
  }

  /**
   * Writes {@code tensors} to {@code file} in the given dtype (float32 values rounded to nearest
   * even for F16 and BF16), with {@code metadata} as {@code __metadata__} when it is not empty.
   */
  public static void write(
      Path file, Map<String, Tensor> tensors, Dtype dtype, Map<String, String> metadata)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode m = header.putObject("__metadata__");
      metadata.forEach(m::put);
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", dtype.name());
      var shape = t.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      long bytes = (long) e.getValue().values().length * dtype.bytes();
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    byte[] headerBytes = Arrays.copyOf(json, padded);
    Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
    try (OutputStream out = Files.newOutputStream(file)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
      out.write(len.array());
      out.write(headerBytes);
      for (Tensor t : tensors.values()) {
        float[] v = t.values();
        ByteBuffer buf =
            ByteBuffer.allocate(v.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
          switch (dtype) {
            case F32 -> buf.putFloat(x);
            case BF16 -> buf.putShort(floatToBf16(x));
            case F16 -> buf.putShort(floatToHalf(x));
          }
        }
        out.write(buf.array());
      }
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file at byte " + pos);
      }
      pos += n;
    }
  }

  /** IEEE 754 half to float (exact). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Float to IEEE 754 half, rounding to nearest even (overflow to infinity). */
  static short floatToHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    if (Float.isNaN(f)) {
      return (short) (sign | 0x7e00);
    }
    float abs = Math.abs(f);
    if (abs >= 65520f) {
      return (short) (sign | 0x7c00);
    }
    if (abs < 0x1p-14f) {
      // Subnormal (or zero): a multiple of 2^-24, rounded to nearest even.
      int m = (int) Math.rint(abs * 0x1p24f);
      return (short) (sign | m);
    }
    int exp = ((bits >>> 23) & 0xff) - 112;
    int mant = bits & 0x7fffff;
    int half = (exp << 10) | (mant >>> 13);
    int rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
      half++;
    }
    return (short) (sign | half);
  }

  /** Float to bfloat16, rounding to nearest even. */
  static short floatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }
}
