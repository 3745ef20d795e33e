/**
 * The human judge: {@link dev.lodestone.judge.human.FeedbackService} serves a labelling page and a
 * JSON API ({@code lodestone feedback}) and turns people's answers into labels of kind HUMAN; its
 * queue ({@link dev.lodestone.judge.human.FeedbackQueue}) lives on the compacted topic {@code
 * feedback}. Annotators authenticate with the bearer tokens of {@link
 * dev.lodestone.judge.human.AnnotatorTokens}; {@link dev.lodestone.judge.human.Agreement} measures
 * how far they agree; {@link dev.lodestone.judge.human.ScriptedAnnotator} answers game tasks
 * through the API for tests and trials.
 */
package dev.lodestone.judge.human;
