package dev.lodestone.judge;

/**
 * A preference between two response texts: P(a preferred over b). A preference game's {@code
 * judge(a, b)} is one.
 */
@FunctionalInterface
public interface TextPreference {

  /** P(text {@code a} is preferred over text {@code b}), in [0, 1]. */
  double prefer(String a, String b);
}
