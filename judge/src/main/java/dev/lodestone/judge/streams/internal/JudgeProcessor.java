package dev.lodestone.judge.streams.internal;

import dev.lodestone.judge.JudgeContractException;
import dev.lodestone.judge.PairJudge;
import dev.lodestone.judge.PairLabels;
import dev.lodestone.judge.Pairs;
import dev.lodestone.judge.streams.JudgeCounters;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.DeadLetters;
import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * samples → labels: decodes and validates each sample group, and for a group the judge accepts
 * forwards one {@link PreferenceLabel} per pair i &lt; j (canonical order) to the labels sink.
 * Undecodable or invalid groups go to the dead-letter sink. A probability outside [0, 1] from the
 * judge throws {@link JudgeContractException}, which fails the stream thread and aborts the
 * transaction, so the value is never published.
 */
public final class JudgeProcessor implements Processor<byte[], byte[], String, SpecificRecord> {
  private final PairJudge judge;
  private final AvroDeserializer<SampleGroup> samples;
  private final RecordValidation validation;
  private final JudgeCounters counters;
  private final String labelsSink;
  private final String deadLettersSink;
  private ProcessorContext<String, SpecificRecord> context;

  public JudgeProcessor(
      PairJudge judge,
      AvroDeserializer<SampleGroup> samples,
      RecordValidation validation,
      JudgeCounters counters,
      String labelsSink,
      String deadLettersSink) {
    this.judge = Objects.requireNonNull(judge, "judge");
    this.samples = Objects.requireNonNull(samples, "samples");
    this.validation = Objects.requireNonNull(validation, "validation");
    this.counters = Objects.requireNonNull(counters, "counters");
    this.labelsSink = Objects.requireNonNull(labelsSink, "labelsSink");
    this.deadLettersSink = Objects.requireNonNull(deadLettersSink, "deadLettersSink");
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata meta =
        context
            .recordMetadata()
            .orElseThrow(() -> new IllegalStateException("a sample record without metadata"));
    RecordValidation.Checked<SampleGroup> checked =
        validation.sampleGroup(
            samples, meta.topic(), meta.partition(), meta.offset(), record.key(), record.value());
    if (!checked.accepted()) {
      deadLetter(record, meta, checked.rejection());
      return;
    }
    SampleGroup group = checked.value();
    if (!judge.accepts(group)) {
      counters.groupSkipped();
      return;
    }
    int g = group.getResponses().size();
    double[] p = judge.preferences(group);
    if (p == null || p.length != Pairs.count(g)) {
      throw new JudgeContractException(
          "judge "
              + judge.judgeId()
              + " returned "
              + (p == null ? "null" : p.length + " preferences")
              + " for group "
              + group.getGroupId()
              + " of "
              + g
              + " responses; expected "
              + Pairs.count(g));
    }
    for (int k = 0; k < p.length; k++) {
      if (!(p[k] >= 0.0 && p[k] <= 1.0)) {
        throw new JudgeContractException(
            "judge "
                + judge.judgeId()
                + " returned probability "
                + p[k]
                + " (not a number in [0, 1]) for pair number "
                + k
                + " of group "
                + group.getGroupId()
                + "; nothing of the group was published");
      }
    }
    for (PreferenceLabel label : PairLabels.of(group, p, judge.judgeId(), judge.kind(), now())) {
      context.forward(
          new Record<String, SpecificRecord>(group.getGroupId(), label, record.timestamp()),
          labelsSink);
    }
    counters.groupJudged(p.length);
  }

  private void deadLetter(Record<byte[], byte[]> record, RecordMetadata meta, Rejection why) {
    counters.deadLetter(why.reason());
    DeadLetter letter =
        DeadLetters.of(
            meta.topic(),
            meta.partition(),
            meta.offset(),
            record.key(),
            record.value(),
            why.reason(),
            why.message(),
            JudgeCounters.COMPONENT,
            now());
    context.forward(
        new Record<String, SpecificRecord>(letter.getSourceTopic(), letter, record.timestamp()),
        deadLettersSink);
  }

  private Instant now() {
    return Instant.ofEpochMilli(context.currentSystemTimeMs());
  }
}
