/**
 * Implementation of the judge and label-join applications: processors, validation, the label join's
 * state encoding, metric publication and the service plumbing. Not an API; use {@link
 * dev.lodestone.judge.streams}.
 */
package dev.lodestone.judge.streams.internal;
