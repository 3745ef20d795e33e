package dev.lodestone.learner.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.avro.LearnerCoreState;
import dev.lodestone.schemas.avro.LearnerState;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class CheckpointTest {

  @Test
  void shouldReadAStateWrittenWithTheFirstSchemaWithTheNewFieldsAtTheirDefaults() throws Exception {
    Schema v1;
    try (InputStream in = Checkpoint.class.getResourceAsStream("LearnerState-v1.avsc")) {
      v1 = new Schema.Parser().parse(in);
    }
    assertThat(v1.getField("budgetSteps")).isNull();
    Schema coreSchema = v1.getField("core").schema();
    GenericRecord core =
        new GenericRecordBuilder(coreSchema)
            .set("step", 40L)
            .set("policyVersion", 4L)
            .set("magnetVersion", 1L)
            .set("publishedStep", 40L)
            .set("skippedSteps", 0L)
            .set("theta", ByteBuffer.wrap(new byte[] {1, 2, 3}))
            .set("previous", null)
            .set("magnet", ByteBuffer.wrap(new byte[] {4}))
            .set("optimizer", ByteBuffer.wrap(new byte[] {5, 6}))
            .build();
    GenericRecord old =
        new GenericRecordBuilder(v1)
            .set("labeledThrough", 640L)
            .set("consumedGroups", 640L)
            .set("stalenessSum", 12L)
            .set("stalenessCount", 640L)
            .set("core", core)
            .build();
    ByteBuffer blob = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
    byte[] bytes = new byte[blob.remaining()];
    blob.get(bytes);

    LearnerState state = Checkpoint.decode(bytes);

    assertThat(state.getLabeledThrough()).isEqualTo(640L);
    assertThat(state.getCore().getStep()).isEqualTo(40L);
    assertThat(state.getCore().getOptimizer().array()).containsExactly(5, 6);
    assertThat(state.getBudgetSteps()).isZero();
    assertThat(state.getInputFrom()).isEqualTo(-1L);
    assertThat(state.getInputEnd()).isEqualTo(-1L);
  }

  @Test
  void shouldKnowEveryEarlierSchemaOfTheState() throws Exception {
    for (String name : Checkpoint.EARLIER_SCHEMAS) {
      try (InputStream in = Checkpoint.class.getResourceAsStream(name)) {
        Schema earlier = new Schema.Parser().parse(in);
        assertThat(earlier.getFullName()).isEqualTo(LearnerState.getClassSchema().getFullName());
        assertThat(earlier).isNotEqualTo(LearnerState.getClassSchema());
      }
    }
  }

  @Test
  void shouldRoundTripTheCurrentStateWithItsBudgetAndRange() {
    LearnerState state =
        LearnerState.newBuilder()
            .setLabeledThrough(96)
            .setConsumedGroups(96)
            .setStalenessSum(3)
            .setStalenessCount(96)
            .setBudgetSteps(300)
            .setInputFrom(7)
            .setInputEnd(4807)
            .setSamplesBase(640)
            .setDeadLettersBase(5)
            .setCore(
                LearnerCoreState.newBuilder()
                    .setStep(6)
                    .setPolicyVersion(1)
                    .setMagnetVersion(0)
                    .setPublishedStep(6)
                    .setSkippedSteps(0)
                    .setTheta(ByteBuffer.wrap(new byte[] {9}))
                    .setMagnet(ByteBuffer.wrap(new byte[] {8}))
                    .setOptimizer(ByteBuffer.wrap(new byte[] {7}))
                    .build())
            .build();

    LearnerState back = Checkpoint.decode(Checkpoint.encode(state));

    assertThat(back).isEqualTo(state);
    assertThat(back.getBudgetSteps()).isEqualTo(300);
    assertThat(back.getInputEnd()).isEqualTo(4807);
    assertThat(back.getDeadLettersBase()).isEqualTo(5);
  }

  @Test
  void shouldRefuseABlobThatIsNotALearnerState() {
    assertThatThrownBy(() -> Checkpoint.decode(new byte[] {(byte) 0xC3, 1, 0, 0, 0, 0, 0, 0, 0, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a learner state");
  }
}
