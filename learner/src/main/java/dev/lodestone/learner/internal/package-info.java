/**
 * The learner service's parts that own Kafka clients: the checkpoint store on {@code
 * learner-state}, the transactional version publisher and the metrics. Private to the learner
 * module (an ArchUnit rule checks it).
 */
package dev.lodestone.learner.internal;
