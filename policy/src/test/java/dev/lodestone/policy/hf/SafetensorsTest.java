package dev.lodestone.policy.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

  @TempDir Path dir;

  private static Map<String, Safetensors.Tensor> twoTensors() {
    Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
    t.put(
        "a.weight",
        new Safetensors.Tensor(new long[] {2, 3}, new float[] {1, -2, 0.5f, 3, 0, -0.25f}));
    t.put("b", new Safetensors.Tensor(new long[] {4}, new float[] {1e-3f, 7, -65504, 0.1f}));
    return t;
  }

  @Test
  void float32RoundTripsExactlyWithTheFormatsLayout() throws IOException {
    Path f = dir.resolve("m.safetensors");
    Safetensors.write(f, twoTensors(), Safetensors.Dtype.F32, Map.of("format", "pt"));
    byte[] bytes = Files.readAllBytes(f);
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLength % 8).isZero();
    assertThat(bytes.length).isEqualTo(8 + headerLength + 10 * 4);
    String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
    assertThat(header)
        .contains("\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}")
        .contains("\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[24,40]}");

    Safetensors s = Safetensors.open(f);
    assertThat(s.tensors().keySet()).containsExactly("a.weight", "b");
    assertThat(s.metadata()).containsEntry("format", "pt");
    assertThat(s.readFloats("a.weight")).containsExactly(1, -2, 0.5f, 3, 0, -0.25f);
    assertThat(s.readFloats("b")).containsExactly(1e-3f, 7, -65504, 0.1f);
  }

  @Test
  void halfAndBfloat16RoundToNearestAndReadBackAsFloat32() throws IOException {
    for (Safetensors.Dtype dtype :
        new Safetensors.Dtype[] {Safetensors.Dtype.F16, Safetensors.Dtype.BF16}) {
      Path f = dir.resolve(dtype + ".safetensors");
      Safetensors.write(f, twoTensors(), dtype, Map.of());
      Safetensors s = Safetensors.open(f);
      assertThat(s.tensors().get("b").dtype()).isEqualTo(dtype.name());
      // Values exactly representable in both come back unchanged.
      assertThat(s.readFloats("a.weight")).containsExactly(1, -2, 0.5f, 3, 0, -0.25f);
      float[] b = s.readFloats("b");
      float relative = dtype == Safetensors.Dtype.F16 ? 0x1p-11f : 0x1p-8f;
      float[] expected = {1e-3f, 7, -65504, 0.1f};
      for (int i = 0; i < b.length; i++) {
        assertThat(b[i]).isCloseTo(expected[i], offset(Math.abs(expected[i]) * relative));
      }
    }
    // Known encodings: 0.1 is 0x2E66 in half and 0x3DCD in bfloat16; 65520 overflows half.
    assertThat(Safetensors.floatToHalf(0.1f)).isEqualTo((short) 0x2E66);
    assertThat(Safetensors.floatToBf16(0.1f)).isEqualTo((short) 0x3DCD);
    assertThat(Safetensors.floatToHalf(65520f)).isEqualTo((short) 0x7C00);
    assertThat(Safetensors.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(Safetensors.halfToFloat(Safetensors.floatToHalf(-3.140625f))).isEqualTo(-3.140625f);
  }

  @Test
  void aTruncatedFileIsRefusedNamingTheFileAndTheTensor() throws IOException {
    Path f = dir.resolve("m.safetensors");
    Safetensors.write(f, twoTensors(), Safetensors.Dtype.F32, Map.of());
    byte[] bytes = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(bytes, bytes.length - 5));
    assertThatThrownBy(() -> Safetensors.open(f))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("tensor b")
        .hasMessageContaining("truncated");
    Files.write(f, Arrays.copyOf(bytes, 20));
    assertThatThrownBy(() -> Safetensors.open(f))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("truncated: the header declares");
    Files.write(f, Arrays.copyOf(bytes, 5));
    assertThatThrownBy(() -> Safetensors.open(f)).hasMessageContaining("shorter than the 8-byte");
  }

  @Test
  void malformedHeadersAreRefused() throws IOException {
    assertThat(refusal("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8))
        .contains("tensor x")
        .contains("needs 12");
    assertThat(refusal("{\"x\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4))
        .contains("unknown dtype Q4");
    assertThat(
            refusal(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                    + "\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                8))
        .contains("overlaps");
    assertThat(refusal("not json", 0)).contains("not JSON");
    assertThat(refusal("{\"x\":{\"dtype\":\"F32\"}}", 0)).contains("lacks dtype, shape");
    assertThatThrownBy(() -> Safetensors.open(dir.resolve("absent.safetensors")))
        .hasMessageContaining("absent.safetensors: missing");
  }

  @Test
  void integerTensorsAreListedButNotReadAsWeights() throws IOException {
    Path f = write("{\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
    Safetensors s = Safetensors.open(f);
    assertThat(s.tensors().get("i").elements()).isEqualTo(1);
    assertThatThrownBy(() -> s.readFloats("i"))
        .hasMessageContaining("dtype I64 is not a float dtype");
    assertThatThrownBy(() -> s.readFloats("nope"))
        .hasMessageContaining("tensor nope: no such tensor");
  }

  private String refusal(String header, int dataBytes) throws IOException {
    Path f = write(header, dataBytes);
    try {
      Safetensors.open(f);
    } catch (CheckpointFormatException e) {
      assertThat(e.file()).isEqualTo(f);
      return e.getMessage();
    }
    throw new AssertionError("accepted " + header);
  }

  private Path write(String header, int dataBytes) throws IOException {
    Path f = Files.createTempFile(dir, "h", ".safetensors");
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Files.write(f, b.array());
    return f;
  }
}
