package dev.lodestone.schemas.chunk;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Lower-case hex SHA-256, the form the chunk records carry. */
public final class Sha256 {
  private Sha256() {}

  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  /** The lower-case hex SHA-256 of the bytes. */
  public static String hex(byte[] bytes) {
    return hex(ByteBuffer.wrap(bytes));
  }

  /** The lower-case hex SHA-256 of the buffer's remaining bytes (its position is unchanged). */
  public static String hex(ByteBuffer bytes) {
    MessageDigest digest = newDigest();
    digest.update(bytes.duplicate());
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Whether the text is 64 lower-case hex digits. */
  public static boolean isHex(String text) {
    return text != null && HEX.matcher(text).matches();
  }

  /** A new SHA-256 digest. */
  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
