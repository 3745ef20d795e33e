/**
 * The sampler's parts: the back-pressure rule ({@link dev.lodestone.sampler.internal.BackPressure})
 * and its produced-groups estimate ({@link dev.lodestone.sampler.internal.InFlightGauge}), the
 * prompt sources, and the records it publishes. Not an API: only {@link dev.lodestone.sampler} is.
 */
package dev.lodestone.sampler.internal;
