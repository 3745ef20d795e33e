/**
 * The policy model shared by samplers, learner and evaluator: a byte-level causal transformer
 * language model on DJL with the PyTorch engine. This module depends on no other Lodestone module.
 *
 * <h2>Setting up</h2>
 *
 * <ul>
 *   <li>{@link dev.lodestone.policy.Engines#start()} configures DJL once (offline, PyTorch 2.7.1
 *       CPU natives from the Maven jar, cache directory, thread counts) and reports what loaded;
 *       {@link dev.lodestone.policy.Engines#device(String)} parses {@code cpu | gpu | gpu:N}.
 *   <li>{@link dev.lodestone.policy.ModelConfig}: the architecture (defaults d 128, 4 heads, 2
 *       layers, context 128); {@link dev.lodestone.policy.ByteTokenizer}: 256 bytes plus BOS, EOS,
 *       PAD, SEP; prompts are {@code [BOS, bytes, SEP]}, responses end with EOS.
 * </ul>
 *
 * <h2>The model</h2>
 *
 * {@link dev.lodestone.policy.PolicyModel} ({@code AutoCloseable}, one thread at a time):
 *
 * <ul>
 *   <li>{@code create(config, device, seed)}: seeded, identical weights on any device; {@code
 *       toBytes()} / {@code fromBytes(blob, device)} / {@code fromBytes(blob, expected, device)} /
 *       {@code loadWeights(blob)}: the weights blob (magic, format version, config JSON, SHA-256),
 *       refused with a typed {@link dev.lodestone.policy.WeightsFormatException}; {@code sha256()}
 *       of the blob; {@code copy()} for the magnet and the previous iterate.
 *   <li>{@code sample(prompt, n, SamplingParams, seed | RandomGenerator)} and the batched {@code
 *       sample(prompts, n, ...)}: {@link dev.lodestone.policy.SampledResponse}s with text, token
 *       ids (ending with EOS when finished) and per-token log-probs under the distribution actually
 *       sampled from. Key/value cache, one {@code NDScope} per step, randomness drawn in Java from
 *       the seeded generator.
 *   <li>{@code logProbs(manager, TokenBatch, training)}: (B, T, V) next-token log-distributions by
 *       teacher forcing ({@link dev.lodestone.policy.TokenBatch} lays out prompt/response pairs
 *       with a response mask, either whole or, with {@code sharedPrompts}, as response positions
 *       that attend to each distinct prompt read once); differentiable when {@code training} and a
 *       gradient collector is open; never recorded otherwise.
 *   <li>{@code responseTokenLogProbs(pairs)} and {@code sequenceLogProbs(prompt, responses)}:
 *       per-token and exact whole-response log-probabilities (docs/design.md, "Games").
 * </ul>
 *
 * <h2>Training</h2>
 *
 * {@link dev.lodestone.policy.AdamOptimizer}: Adam over the model's parameters with {@code
 * train(lossFn, maxGradNorm)} or, step by step, {@code newGradientCollector()}, {@code
 * step(maxGradNorm)} (finite check, clipping, update, zeroed gradients), {@code gradientNorm()},
 * {@code zeroGradients()}, and {@code stateBytes()} / {@code loadState(bytes)} that restore
 * bit-exactly. The warm-up (supervised) stage is in {@link dev.lodestone.policy.warmup}.
 *
 * <h2>Performance notes</h2>
 *
 * Set {@code OMP_WAIT_POLICY=PASSIVE} in the environment of any JVM that runs the model (the
 * launcher and the build do): with spinning OpenMP threads the model is many times slower when
 * other processes share the cores. Figures: {@code lodestone bench policy},
 * docs/policy-benchmark.md.
 */
package dev.lodestone.policy;
