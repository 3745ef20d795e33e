package dev.lodestone.policy;

/** Starts the engine in a fresh JVM and prints what {@link Engines#start()} reports. */
public final class EngineProbe {

  private EngineProbe() {}

  /** Prints {@code nativesExtracted=<bool>} and {@code cacheDir=<path>}. */
  public static void main(String[] args) {
    Engines.EngineInfo info = Engines.start();
    System.out.println("nativesExtracted=" + info.nativesExtracted());
    System.out.println("cacheDir=" + info.cacheDir());
    System.out.println("pytorch=" + info.pytorchVersion());
  }
}
