package dev.lodestone.policy.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Published chat templates, rendered as transformers' apply_chat_template renders them. */
class HfChatTemplateTest {

  /** SmolLM2-Instruct's template (ChatML with a default system message). */
  static final String SMOLLM2 =
      "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
          + "{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by"
          + " Hugging Face<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' +"
          + " message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt"
          + " %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

  /** Llama 3 Instruct's template. */
  static final String LLAMA3 =
      "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content ="
          + " '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+"
          + " message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content"
          + " = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if"
          + " add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n'"
          + " }}{% endif %}";

  /** A template that refuses conversations whose roles do not alternate (as Mistral's do). */
  static final String ALTERNATING =
      "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') !="
          + " (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate"
          + " user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user'"
          + " %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% else %}{{ message['content'] +"
          + " eos_token }}{% endif %}{% endfor %}";

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private HfChatTemplate template(String template, String bos, String eos) throws IOException {
    ObjectNode c = JSON.createObjectNode();
    c.put("chat_template", template);
    c.put("bos_token", bos);
    c.putObject("eos_token").put("content", eos);
    JSON.writeValue(dir.resolve(HfChatTemplate.TOKENIZER_CONFIG).toFile(), c);
    return HfChatTemplate.of(dir).orElseThrow();
  }

  @Test
  void smolLm2AddsItsSystemMessageAndTheAssistantHeader() throws IOException {
    HfChatTemplate t = template(SMOLLM2, "<|im_start|>", "<|im_end|>");
    List<HfChatTemplate.Message> chat =
        List.of(
            new HfChatTemplate.Message("user", "I need help with my order"),
            new HfChatTemplate.Message(
                "assistant", "I'd be happy to help. Could you provide your order number?"),
            new HfChatTemplate.Message("user", "It's ORDER-123"));
    assertThat(t.render(chat, true))
        .isEqualTo(
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging"
                + " Face<|im_end|>\n<|im_start|>user\nI need help with my order<|im_end|>\n"
                + "<|im_start|>assistant\nI'd be happy to help. Could you provide your order"
                + " number?<|im_end|>\n<|im_start|>user\nIt's ORDER-123<|im_end|>\n"
                + "<|im_start|>assistant\n");
    assertThat(t.render(List.of(new HfChatTemplate.Message("system", "Be brief.")), false))
        .isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n");
  }

  @Test
  void llama3TrimsContentAndStartsWithTheBosToken() throws IOException {
    HfChatTemplate t = template(LLAMA3, "<|begin_of_text|>", "<|eot_id|>");
    assertThat(t.render(List.of(new HfChatTemplate.Message("user", "  rock or paper?\n")), true))
        .isEqualTo(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nrock or"
                + " paper?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
  }

  @Test
  void aTemplatesOwnRefusalIsReportedWithItsFile() throws IOException {
    HfChatTemplate t = template(ALTERNATING, "<s>", "</s>");
    assertThat(
            t.render(
                List.of(
                    new HfChatTemplate.Message("user", "a"),
                    new HfChatTemplate.Message("assistant", "b")),
                false))
        .isEqualTo("<s>[INST] a [/INST]b</s>");
    assertThatThrownBy(
            () ->
                t.render(
                    List.of(
                        new HfChatTemplate.Message("user", "a"),
                        new HfChatTemplate.Message("user", "b")),
                    false))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining(HfChatTemplate.TOKENIZER_CONFIG)
        .hasMessageContaining("Conversation roles must alternate");
  }

  @Test
  void noTokenizerConfigOrNoTemplateMeansNone() throws IOException {
    assertThat(HfChatTemplate.of(dir)).isEmpty();
    JSON.writeValue(dir.resolve(HfChatTemplate.TOKENIZER_CONFIG).toFile(), JSON.createObjectNode());
    assertThat(HfChatTemplate.of(dir)).isEmpty();
  }
}
