package dev.lodestone.sampler.internal;

import dev.lodestone.policy.SampledResponse;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.avro.SampleGroup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds the {@link SampleGroup} records the sampler publishes. */
public final class SampleGroups {
  private SampleGroups() {}

  /**
   * One group of a model: the prompt, its tokens, the responses with their token ids and the
   * log-probability of each token under the distribution it was drawn from, and the stamps.
   */
  public static SampleGroup of(
      String modelId,
      String groupId,
      PromptItem prompt,
      List<SampledResponse> responses,
      long policyVersion,
      long magnetVersion,
      String samplerId,
      Instant time) {
    List<Response> out = new ArrayList<>(responses.size());
    for (SampledResponse r : responses) {
      List<Integer> ids = new ArrayList<>(r.tokenIds().length);
      for (int id : r.tokenIds()) {
        ids.add(id);
      }
      List<Float> lps = new ArrayList<>(r.logProbs().length);
      for (float lp : r.logProbs()) {
        lps.add(lp);
      }
      out.add(
          Response.newBuilder()
              .setText(r.text())
              .setTokenIds(ids)
              .setLogProbs(lps)
              .setFinished(r.finished())
              .build());
    }
    List<Integer> promptTokens = new ArrayList<>(prompt.tokens().length);
    for (int id : prompt.tokens()) {
      promptTokens.add(id);
    }
    return SampleGroup.newBuilder()
        .setGroupId(groupId)
        .setPromptId(prompt.promptId())
        .setTask(prompt.task())
        .setPrompt(prompt.text())
        .setPromptTokenIds(promptTokens)
        .setResponses(out)
        .setPolicyVersion(policyVersion)
        .setMagnetVersion(magnetVersion)
        .setSamplerId(samplerId)
        .setTime(time)
        .setModelId(modelId)
        .build();
  }
}
