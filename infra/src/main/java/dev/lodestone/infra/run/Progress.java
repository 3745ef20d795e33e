package dev.lodestone.infra.run;

/**
 * What the progress bar shows at one moment.
 *
 * @param fraction how much of the run is done, in [0, 1]
 * @param step learner steps taken
 * @param policyVersion newest published policy version, or -1 before version 0
 * @param exploitability exploitability of the newest evaluated version, NaN before the first
 * @param pairsPerSecond labelled pairs the learner consumes per second (NaN: not known, shown as -)
 * @param stalenessVersions mean staleness of the consumed groups, in policy versions
 * @param elapsedSeconds time since the pipeline started
 */
public record Progress(
    double fraction,
    long step,
    long policyVersion,
    double exploitability,
    double pairsPerSecond,
    double stalenessVersions,
    long elapsedSeconds) {}
