package dev.lodestone.schemas.chunk;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A blob split into chunks: its SHA-256, its size and read-only views of its chunks, in order. Made
 * by {@link Chunker#split(byte[], int)}.
 */
public final class ChunkedBlob {
  private final byte[] blob;
  private final String sha256;
  private final int maxChunkBytes;
  private final int count;

  ChunkedBlob(byte[] blob, int maxChunkBytes) {
    this.blob = Objects.requireNonNull(blob, "blob");
    this.maxChunkBytes = maxChunkBytes;
    this.sha256 = Sha256.hex(blob);
    this.count = blob.length == 0 ? 1 : (blob.length + maxChunkBytes - 1) / maxChunkBytes;
  }

  /** Lower-case hex SHA-256 of the whole blob. */
  public String sha256() {
    return sha256;
  }

  /** Size of the whole blob in bytes. */
  public long totalBytes() {
    return blob.length;
  }

  /** Number of chunks; at least 1 (an empty blob is one empty chunk). */
  public int count() {
    return count;
  }

  /** Largest chunk size this blob was split with. */
  public int maxChunkBytes() {
    return maxChunkBytes;
  }

  /** A read-only view of chunk {@code index} (0-based). */
  public ByteBuffer chunk(int index) {
    if (index < 0 || index >= count) {
      throw new IndexOutOfBoundsException(
          "chunk index "
              + index
              + " outside [0, "
              + count
              + ") of a blob of "
              + blob.length
              + " bytes");
    }
    int start = index * maxChunkBytes;
    int length = Math.min(maxChunkBytes, blob.length - start);
    return ByteBuffer.wrap(blob, start, length).slice().asReadOnlyBuffer();
  }

  /** Read-only views of every chunk, in order. */
  public List<ByteBuffer> chunks() {
    List<ByteBuffer> chunks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      chunks.add(chunk(i));
    }
    return List.copyOf(chunks);
  }
}
