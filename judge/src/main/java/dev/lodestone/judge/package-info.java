/**
 * Judges, the label join and the evaluator; the owner of preference games.
 *
 * <p>This package holds the judge contract: {@link dev.lodestone.judge.PairJudge} (one
 * implementation per kind of judge: a game oracle, an LLM over HTTP, people, a learned model),
 * {@link dev.lodestone.judge.TextPreferenceJudge} (a judge of one task that compares response
 * texts), {@link dev.lodestone.judge.GameOracle} (that judge over a preference game of {@link
 * dev.lodestone.games}) and {@link dev.lodestone.judge.Pairs} (the canonical order of a group's
 * pairs). The Kafka Streams applications that run judges and join their labels are in {@link
 * dev.lodestone.judge.streams}; the LLM judge is in {@code judge.llm}, the human judge's feedback
 * service in {@link dev.lodestone.judge.human}.
 *
 * <p>Depends on {@code schemas} and {@code policy}; never on the sampler or the learner.
 */
package dev.lodestone.judge;
