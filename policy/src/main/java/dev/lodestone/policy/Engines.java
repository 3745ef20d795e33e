package dev.lodestone.policy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that configures DJL and loads the PyTorch engine.
 *
 * <p>Before the engine loads, {@link #start()} sets these system properties unless the user has
 * already set them (as a system property or, where DJL reads one, an environment variable):
 *
 * <ul>
 *   <li>{@code ai.djl.offline=true}: nothing is downloaded at run time;
 *   <li>{@code PYTORCH_VERSION=2.7.1} and {@code PYTORCH_FLAVOR=cpu}: the natives bundled in the
 *       {@code pytorch-native-cpu} jar on the class path. For a GPU, set {@code PYTORCH_FLAVOR}
 *       (for example {@code cu128}) and {@code PYTORCH_LIBRARY_PATH} to a local libtorch before
 *       starting;
 *   <li>{@code DJL_CACHE_DIR=~/.djl.ai}: where the natives are extracted, once (about 430 MB);
 *       later starts find them there and extract nothing;
 *   <li>{@code ai.djl.pytorch.num_threads} = the available processors, {@code
 *       ai.djl.pytorch.num_interop_threads=1}.
 * </ul>
 *
 * <p>One setting cannot be made from Java: OpenMP reads {@code OMP_WAIT_POLICY} from the process
 * environment when the natives load. Without {@code PASSIVE}, idle PyTorch threads spin, and on a
 * shared 2-core machine every small operation waits for descheduled spinners (measured 30-100x
 * slower). The {@code lodestone} launcher and the test configuration set it; {@link #start()} warns
 * when it is missing.
 *
 * <p>Idempotent and thread-safe: the first call loads the engine, later calls return the same
 * {@link EngineInfo}.
 */
public final class Engines {

  /** The PyTorch version whose natives the build bundles. */
  public static final String PYTORCH_VERSION = "2.7.1";

  private static final Logger LOG = LoggerFactory.getLogger(Engines.class);
  private static EngineInfo info;

  private Engines() {}

  /**
   * What the engine loaded with.
   *
   * @param engineName DJL's engine name ({@code PyTorch})
   * @param djlVersion the DJL version
   * @param pytorchVersion the libtorch version the engine reports
   * @param flavor the requested native flavour ({@code cpu}, or a CUDA flavour)
   * @param intraOpThreads the engine's intra-op thread count
   * @param interOpThreads the engine's inter-op thread count
   * @param cacheDir where the natives live
   * @param nativesExtracted true when this start extracted the natives into {@code cacheDir}
   * @param loadTime how long loading took
   * @param gpuCount GPUs visible to the engine
   * @param ompWaitPolicy the OpenMP wait policy from the environment ({@code OMP_WAIT_POLICY}), or
   *     "unset" (libgomp then spins)
   */
  public record EngineInfo(
      String engineName,
      String djlVersion,
      String pytorchVersion,
      String flavor,
      int intraOpThreads,
      int interOpThreads,
      Path cacheDir,
      boolean nativesExtracted,
      Duration loadTime,
      int gpuCount,
      String ompWaitPolicy) {}

  /** Configures DJL (see the class comment) and loads the PyTorch engine, once. */
  public static synchronized EngineInfo start() {
    if (info != null) {
      return info;
    }
    setDefault("ai.djl.offline", "true");
    setDefault("ai.djl.default_engine", "PyTorch");
    setDefault("PYTORCH_VERSION", PYTORCH_VERSION);
    setDefault("PYTORCH_FLAVOR", "cpu");
    setDefault("DJL_CACHE_DIR", Paths.get(System.getProperty("user.home"), ".djl.ai").toString());
    setDefault(
        "ai.djl.pytorch.num_threads",
        Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors())));
    setDefault("ai.djl.pytorch.num_interop_threads", "1");
    // The graph executor optimizer concerns TorchScript models only; keep its log line quiet.
    setDefault("ai.djl.pytorch.graph_optimizer", "false");

    Path cacheDir = Paths.get(envOrProperty("DJL_CACHE_DIR"));
    Path nativeDir = cacheDir.resolve("pytorch");
    Set<String> before = listing(nativeDir);
    long t0 = System.nanoTime();
    Engine engine = Engine.getEngine("PyTorch");
    Duration load = Duration.ofNanos(System.nanoTime() - t0);
    Set<String> after = listing(nativeDir);
    after.removeAll(before);
    info =
        new EngineInfo(
            engine.getEngineName(),
            Engine.getDjlVersion(),
            engine.getVersion(),
            envOrProperty("PYTORCH_FLAVOR"),
            JniUtils.getNumThreads(),
            JniUtils.getNumInteropThreads(),
            cacheDir,
            !after.isEmpty(),
            load,
            engine.getGpuCount(),
            System.getenv("OMP_WAIT_POLICY") == null ? "unset" : System.getenv("OMP_WAIT_POLICY"));
    LOG.info(
        "PyTorch {} engine (DJL {}, flavor {}) loaded in {} ms, {} intra-op / {} inter-op threads,"
            + " natives in {}{}",
        info.pytorchVersion(),
        info.djlVersion(),
        info.flavor(),
        load.toMillis(),
        info.intraOpThreads(),
        info.interOpThreads(),
        nativeDir,
        info.nativesExtracted() ? " (extracted now)" : "");
    if (info.intraOpThreads() > 1 && System.getenv("OMP_WAIT_POLICY") == null) {
      LOG.warn(
          "OMP_WAIT_POLICY is not set: PyTorch's {} OpenMP threads spin while idle, which makes"
              + " small models many times slower when other processes share the cores. Set"
              + " OMP_WAIT_POLICY=PASSIVE in the environment (the lodestone launcher does).",
          info.intraOpThreads());
    }
    return info;
  }

  /** The device a policy runs on when none is given. */
  public static final String DEFAULT_DEVICE = "cpu";

  /**
   * Parses a device: {@code cpu}, {@code gpu} (the first GPU) or {@code gpu:N}. Starts the engine.
   *
   * @throws IllegalArgumentException for an unknown spec, or a GPU the engine cannot see
   */
  public static Device device(String spec) {
    if (spec == null) {
      throw new IllegalArgumentException("device must be cpu, gpu or gpu:N, got null");
    }
    String s = spec.trim().toLowerCase(Locale.ROOT);
    if (s.equals("cpu")) {
      start();
      return Device.cpu();
    }
    int index;
    if (s.equals("gpu")) {
      index = 0;
    } else if (s.startsWith("gpu:")) {
      try {
        index = Integer.parseInt(s.substring(4));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "device must be cpu, gpu or gpu:N, got '" + spec + "' (N is not a number)", e);
      }
      if (index < 0) {
        throw new IllegalArgumentException(
            "device must be cpu, gpu or gpu:N with N >= 0, got '" + spec + "'");
      }
    } else {
      throw new IllegalArgumentException("device must be cpu, gpu or gpu:N, got '" + spec + "'");
    }
    int gpus = start().gpuCount();
    if (index >= gpus) {
      throw new IllegalArgumentException(
          "device '"
              + spec
              + "' is not available: the PyTorch engine sees "
              + gpus
              + " GPU(s) (PYTORCH_FLAVOR="
              + envOrProperty("PYTORCH_FLAVOR")
              + "). On a GPU machine set PYTORCH_FLAVOR to a CUDA flavour and PYTORCH_LIBRARY_PATH"
              + " to a matching libtorch before starting.");
    }
    return Device.gpu(index);
  }

  private static void setDefault(String name, String value) {
    String current = envOrProperty(name);
    if (current == null || current.isEmpty()) {
      System.setProperty(name, value);
    }
  }

  private static String envOrProperty(String name) {
    String env = System.getenv(name);
    return env != null ? env : System.getProperty(name);
  }

  private static Set<String> listing(Path dir) {
    Set<String> names = new HashSet<>();
    if (!Files.isDirectory(dir)) {
      return names;
    }
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(p -> names.add(p.getFileName().toString()));
    } catch (IOException e) {
      LOG.debug("cannot list {}: {}", dir, e.toString());
    }
    return names;
  }
}
