package dev.lodestone.infra.cli;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random parts of the ids the commands make up (instance ids, run tags). */
final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** 8 random hex digits. */
  static String randomHex() {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
