package dev.lodestone.policy.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.FatalTemplateErrorsException;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint's chat template ({@code chat_template} of {@code tokenizer_config.json}, or the
 * {@code default} of a list of named templates), rendered with Jinjava ({@code
 * com.hubspot.jinjava}), a Java implementation of Jinja, as {@code transformers}' {@code
 * apply_chat_template} renders it: the variables {@code messages} (maps with {@code role} and
 * {@code content}), {@code add_generation_prompt}, {@code bos_token} and {@code eos_token}, and the
 * function {@code raise_exception(message)}.
 *
 * <p>Jinjava is not Python's Jinja: templates that call Python string methods (for example {@code
 * content.strip()}) or tools may render differently or fail; a failure is reported with the
 * template's file. docs/models.md lists the templates checked.
 */
public final class HfChatTemplate {

  /** The tokenizer configuration that holds the template. */
  public static final String TOKENIZER_CONFIG = "tokenizer_config.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One message of a conversation. */
  public record Message(String role, String content) {}

  private final Path file;
  private final String template;
  private final String bosToken;
  private final String eosToken;
  private final Jinjava jinjava;

  /** A template with its special tokens; {@code file} names it in errors. */
  public HfChatTemplate(Path file, String template, String bosToken, String eosToken) {
    this.file = file;
    this.template = template;
    this.bosToken = bosToken;
    this.eosToken = eosToken;
    this.jinjava =
        new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
    jinjava
        .getGlobalContext()
        .registerFunction(
            new ELFunctionDefinition(
                "", "raise_exception", HfChatTemplate.class, "raiseException", String.class));
  }

  /**
   * The template of the checkpoint in {@code dir}, if its {@code tokenizer_config.json} has one.
   */
  public static Optional<HfChatTemplate> of(Path dir) throws IOException {
    Path file = dir.resolve(TOKENIZER_CONFIG);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "not valid JSON: " + e.getMessage());
    }
    JsonNode t = root.path("chat_template");
    String template = null;
    if (t.isTextual()) {
      template = t.asText();
    } else if (t.isArray()) {
      for (JsonNode named : t) {
        if (named.path("name").asText("").equals("default")) {
          template = named.path("template").asText();
        }
      }
    }
    if (template == null) {
      return Optional.empty();
    }
    return Optional.of(
        new HfChatTemplate(file, template, token(root, "bos_token"), token(root, "eos_token")));
  }

  private static String token(JsonNode root, String field) {
    JsonNode n = root.path(field);
    if (n.isTextual()) {
      return n.asText();
    }
    return n.path("content").asText("");
  }

  /**
   * The conversation rendered as the model's prompt text.
   *
   * @param addGenerationPrompt whether to end with the header of the assistant's turn
   * @throws CheckpointFormatException if the template fails to render (naming the file)
   */
  public String render(List<Message> messages, boolean addGenerationPrompt) {
    List<Map<String, Object>> ms = new ArrayList<>();
    for (Message m : messages) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("role", m.role());
      map.put("content", m.content());
      ms.add(map);
    }
    Map<String, Object> context = new HashMap<>();
    context.put("messages", ms);
    context.put("add_generation_prompt", addGenerationPrompt);
    context.put("bos_token", bosToken);
    context.put("eos_token", eosToken);
    try {
      return jinjava.render(template, context);
    } catch (FatalTemplateErrorsException e) {
      String reason = e.getMessage();
      for (var error : e.getErrors()) {
        for (Throwable c = error.getException(); c != null; c = c.getCause()) {
          if (c instanceof TemplateRaisedException) {
            reason = "raise_exception: " + c.getMessage();
          }
        }
      }
      throw new CheckpointFormatException(file, "chat_template failed: " + reason);
    } catch (RuntimeException e) {
      throw new CheckpointFormatException(file, "chat_template failed: " + e);
    }
  }

  /** The template's {@code raise_exception(message)}. */
  public static String raiseException(String message) {
    throw new TemplateRaisedException(message);
  }

  /** A template's own refusal of a conversation. */
  static final class TemplateRaisedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TemplateRaisedException(String message) {
      super(message);
    }
  }
}
