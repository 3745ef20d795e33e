/**
 * The supervised warm-up: the pipeline starts from a model that already answers in the task's
 * format, as an SFT model does in RLHF.
 *
 * <ul>
 *   <li>{@link dev.lodestone.policy.warmup.WarmupCorpus}: prompts with response strings and weights
 *       (for a game: its prompt, its strategies and its {@code initial} distribution; the caller
 *       supplies them, this module knows no games).
 *   <li>{@link dev.lodestone.policy.warmup.WarmupTrainer#train}: exact weighted cross-entropy with
 *       Adam, stopping once the exact response distribution is within tolerance; {@link
 *       dev.lodestone.policy.warmup.WarmupTrainer#evaluate} gives that distribution.
 *   <li>{@link dev.lodestone.policy.warmup.WarmupCache#getOrTrain}: the result on disk, keyed by
 *       the task description, corpus, model config and warm-up config (seed included).
 * </ul>
 */
package dev.lodestone.policy.warmup;
