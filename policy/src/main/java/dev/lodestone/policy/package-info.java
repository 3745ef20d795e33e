/**
 * The policy model shared by samplers, learner and evaluator: a byte-level causal transformer
 * language model on DJL with the PyTorch engine.
 *
 * <p>This module depends on no other Lodestone module.
 */
package dev.lodestone.policy;
