/**
 * Implementation of the policy model, not an API: the DJL blocks ({@link
 * dev.lodestone.policy.internal.TransformerLm}, {@link
 * dev.lodestone.policy.internal.DecoderLayer}), the key/value cache, attention masks, host-side
 * token sampling and the weights format. Other modules use {@link dev.lodestone.policy.PolicyModel}
 * instead.
 */
package dev.lodestone.policy.internal;
