package dev.lodestone.policy.hf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lodestone.policy.Engines;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Lodestone's Hugging Face models against an independent implementation of the same architectures
 * on the same files: Jlama ({@code com.github.tjake:jlama-core}), run in a JVM of its own under
 * Java 20 or newer (the JDK 25 beside the default JDK 17 on these machines, or {@code
 * LODESTONE_ORACLE_JAVA}). For each architecture a random checkpoint is written, a token sequence
 * is scored by both, and every next-token log-probability at every position must agree within 1e-4.
 *
 * <p>Checkpoints are stored as float32: given bfloat16 weights, Jlama also rounds its activations
 * to bfloat16 (its log-probabilities then differ from a float32 computation by about 0.015 on these
 * models), while Lodestone, like {@code transformers} by default, computes in float32. Decoding of
 * F16 and BF16 is checked against known encodings in {@code SafetensorsTest}.
 *
 * <p>Skipped where no Java 20+ is found, unless {@code LODESTONE_REQUIRE_ORACLE} is set (CI sets
 * it).
 */
@Tag("integration")
class HfCausalLmOracleIT {

  private static final Path DEFAULT_JAVA = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

  /**
   * Tokens fed to both: the special token, then bytes and merged words of the fixture's tokenizer.
   */
  private static final long[] TOKENS = {291, 114, 256, 259, 32, 112, 286, 10, 290, 44, 63, 200};

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}, tied embeddings {1}, stored as {2}")
  @CsvSource({
    "llama, false, F32",
    "llama, true, F32",
    "qwen2, false, F32",
    "mistral, false, F32",
    "gpt2, true, F32"
  })
  void logProbsAgreeWithJlama(String modelType, boolean tied, Safetensors.Dtype dtype)
      throws Exception {
    Path java = oracleJava();
    RandomCheckpoint spec = RandomCheckpoint.tiny(modelType);
    spec =
        new RandomCheckpoint(
            spec.modelType(),
            spec.hiddenSize(),
            spec.layers(),
            spec.heads(),
            spec.kvHeads(),
            spec.intermediateSize(),
            spec.maxPositions(),
            tied);
    Path model = dir.resolve(modelType);
    spec.write(model, 11, dtype);

    float[][] ours;
    try (HfCausalLm lm = HfCausalLm.load(HfCheckpoint.open(model), Engines.device("cpu"))) {
      ours = lm.logProbs(TOKENS);
    }
    double[][] theirs = jlama(java, model);
    assertThat(theirs).hasNumberOfRows(TOKENS.length);
    double worst = 0;
    for (int pos = 0; pos < TOKENS.length; pos++) {
      assertThat(theirs[pos]).hasSize(ours[pos].length);
      for (int v = 0; v < ours[pos].length; v++) {
        worst = Math.max(worst, Math.abs(ours[pos][v] - theirs[pos][v]));
      }
    }
    assertThat(worst).as("largest |log p difference| over positions and tokens").isLessThan(1e-4);
    // The distributions are not near uniform (so that agreement is not trivial).
    double spread = 0;
    for (float lp : ours[TOKENS.length - 1]) {
      spread = Math.max(spread, Math.abs(lp + Math.log(ours[0].length)));
    }
    assertThat(spread).isGreaterThan(0.5);
  }

  private double[][] jlama(Path java, Path model)
      throws IOException, InterruptedException, URISyntaxException {
    String classpath =
        Files.readString(Path.of(System.getProperty("lodestone.oracle.classpath"))).strip();
    Path source = Path.of(getClass().getResource("/jlama/JlamaOracle.java").toURI());
    StringBuilder ids = new StringBuilder();
    for (long t : TOKENS) {
      ids.append(ids.length() == 0 ? "" : ",").append(t);
    }
    Path log = dir.resolve("jlama.log");
    Path result = dir.resolve("jlama.out");
    Process p =
        new ProcessBuilder(
                java.toString(),
                "--add-modules",
                "jdk.incubator.vector",
                "-cp",
                classpath,
                source.toString(),
                model.toString(),
                ids.toString(),
                result.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    String out = Files.readString(result);
    List<double[]> rows = new ArrayList<>();
    for (String line : out.strip().split("\n")) {
      String[] parts = line.split(",");
      double[] row = new double[parts.length];
      for (int i = 0; i < parts.length; i++) {
        row[i] = Double.parseDouble(parts[i]);
      }
      rows.add(row);
    }
    return rows.toArray(new double[0][]);
  }

  private static Path oracleJava() {
    String env = System.getenv("LODESTONE_ORACLE_JAVA");
    Path java = env != null ? Path.of(env) : DEFAULT_JAVA;
    boolean found = Files.isExecutable(java);
    if (System.getenv("LODESTONE_REQUIRE_ORACLE") == null) {
      Assumptions.assumeTrue(found, "no Java 20+ for Jlama at " + java);
    } else {
      assertThat(found).as("Java 20+ for Jlama at " + java + " (LODESTONE_ORACLE_JAVA)").isTrue();
    }
    return java;
  }
}
