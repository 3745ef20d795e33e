/**
 * The preference-optimization losses of the learner, one class per algorithm behind {@link
 * dev.lodestone.learner.loss.PreferenceLoss}: {@link dev.lodestone.learner.loss.MpoLoss} (MPO and
 * the fixed magnet of MMD), {@link dev.lodestone.learner.loss.MpoRtLoss} (the magnet as a shaped
 * reward) and {@link dev.lodestone.learner.loss.OmdLoss} (no magnet). A batch of labelled groups
 * ({@link dev.lodestone.learner.loss.LabelledBatch}) is scored by the policies ({@link
 * dev.lodestone.learner.loss.ScoredBatch}), its {@link dev.lodestone.learner.loss.Advantages}
 * computed once as tensors, then the loss.
 */
package dev.lodestone.learner.loss;
