package dev.lodestone.policy.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face {@code tokenizer.json} files of the byte-level BPE kind GPT-2 uses: bytes mapped to
 * characters by GPT-2's table, a vocabulary and merges over those characters, special tokens as
 * added tokens. Lodestone writes two: the random checkpoints' ({@link RandomCheckpoint}) and the
 * exported byte-level policy's ({@link HfExport}).
 */
final class ByteLevelBpe {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ByteLevelBpe() {}

  /**
   * The tokenizer file.
   *
   * @param vocab token (in GPT-2's characters) to id
   * @param merges the merges in rank order, each {@code "left right"}
   * @param specials the added special tokens, id to content, in the order given
   * @param useRegex whether the pre-tokenizer and decoder split words by GPT-2's pattern
   * @param decoderPrefixSpace the decoder's {@code add_prefix_space}
   */
  static ObjectNode tokenizerJson(
      Map<String, Integer> vocab,
      List<String> merges,
      Map<Integer, String> specials,
      boolean useRegex,
      boolean decoderPrefixSpace) {
    ObjectNode t = JSON.createObjectNode();
    t.put("version", "1.0");
    t.putNull("truncation");
    t.putNull("padding");
    ArrayNode added = t.putArray("added_tokens");
    specials.forEach(
        (id, content) -> {
          ObjectNode a = added.addObject();
          a.put("id", id);
          a.put("content", content);
          a.put("single_word", false);
          a.put("lstrip", false);
          a.put("rstrip", false);
          a.put("normalized", false);
          a.put("special", true);
        });
    t.putNull("normalizer");
    ObjectNode pre = t.putObject("pre_tokenizer");
    pre.put("type", "ByteLevel");
    pre.put("add_prefix_space", false);
    pre.put("trim_offsets", true);
    pre.put("use_regex", useRegex);
    t.putNull("post_processor");
    ObjectNode dec = t.putObject("decoder");
    dec.put("type", "ByteLevel");
    dec.put("add_prefix_space", decoderPrefixSpace);
    dec.put("trim_offsets", true);
    dec.put("use_regex", useRegex);
    ObjectNode model = t.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    ObjectNode v = model.putObject("vocab");
    vocab.forEach(v::put);
    ArrayNode m = model.putArray("merges");
    merges.forEach(m::add);
    return t;
  }

  /** GPT-2's byte-to-character table: printable bytes stand for themselves, others are shifted. */
  static char[] byteToChar() {
    char[] out = new char[256];
    boolean[] direct = new boolean[256];
    for (int b = '!'; b <= '~'; b++) {
      direct[b] = true;
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      direct[b] = true;
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      direct[b] = true;
    }
    int shifted = 0;
    for (int b = 0; b < 256; b++) {
      out[b] = direct[b] ? (char) b : (char) (256 + shifted++);
    }
    return out;
  }
}
