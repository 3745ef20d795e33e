/**
 * The chaos benchmark ({@code lodestone bench chaos}, {@link dev.lodestone.infra.chaos.Chaos}) and
 * what it and the integration tests share: components as separate processes ({@link
 * dev.lodestone.infra.chaos.LodestoneProcess}), whole-topic reads ({@link
 * dev.lodestone.infra.chaos.TopicReader}), a follower of a model's versions ({@link
 * dev.lodestone.infra.chaos.PolicyWatcher}), and malformed records ({@link
 * dev.lodestone.infra.chaos.BadRecords}).
 */
package dev.lodestone.infra.chaos;
