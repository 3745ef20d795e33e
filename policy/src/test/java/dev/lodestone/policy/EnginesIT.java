package dev.lodestone.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first start extracts the natives from the Maven jar; later starts find them. */
@Tag("integration")
class EnginesIT {

  @Test
  void firstStartExtractsTheNativesAndLaterStartsDoNot(@TempDir Path tmp) throws Exception {
    Path cache = tmp.resolve("djl-cache");
    try {
      String first = startInFreshJvm(cache);
      assertThat(first).contains("nativesExtracted=true").contains("pytorch=2.7.1");
      assertThat(cache.resolve("pytorch")).isDirectory();
      String second = startInFreshJvm(cache);
      assertThat(second).contains("nativesExtracted=false");
    } finally {
      deleteTree(cache);
    }
  }

  private static String startInFreshJvm(Path cache) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Dai.djl.offline=true",
                    "-cp",
                    System.getProperty("java.class.path"),
                    EngineProbe.class.getName()))
            .redirectErrorStream(true);
    pb.environment().put("DJL_CACHE_DIR", cache.toString());
    pb.environment().remove("PYTORCH_LIBRARY_PATH");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
