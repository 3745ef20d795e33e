package dev.lodestone.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.avro.Prompt;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Provisioning against a real broker, with topics of this test's own (not the catalogue's, which
 * the stack has provisioned already).
 */
@Tag("integration")
class TopicProvisionerIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static LocalStack stack;
  private static Admin admin;

  @BeforeAll
  static void startStack() {
    stack = new LocalStack(LocalStackConfig.ephemeral());
    stack.start(LocalStack.DEFAULT_START_TIMEOUT);
    admin = Admin.create(stack.clientConfig());
  }

  @AfterAll
  static void stopStack() {
    if (admin != null) {
      admin.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static TopicSpec<Prompt> spec(String name, int partitions, TopicSpec.Cleanup cleanup) {
    return new TopicSpec<>(name, partitions, cleanup, Prompt.class, Map.of());
  }

  @Test
  void shouldCreateMissingTopicsAndLeaveThemAloneTheSecondTime() {
    var specs =
        List.of(
            spec("prov-a", 3, TopicSpec.Cleanup.DELETE),
            new TopicSpec<>(
                "prov-b",
                1,
                TopicSpec.Cleanup.COMPACT,
                Prompt.class,
                Map.of("retention.ms", "1234")));
    TopicProvisioner provisioner = new TopicProvisioner(admin);

    var first = provisioner.provision(specs, TIMEOUT);
    var second = provisioner.provision(specs, TIMEOUT);

    assertThat(first.created()).containsExactly("prov-a", "prov-b");
    assertThat(first.existing()).isEmpty();
    assertThat(second.created()).isEmpty();
    assertThat(second.existing()).containsExactly("prov-a", "prov-b");
  }

  @Test
  void shouldAcceptAnExistingTopicWithMorePartitions() throws Exception {
    admin
        .createTopics(
            List.of(
                new NewTopic("prov-more", 5, (short) 1)
                    .configs(Map.of("cleanup.policy", "delete"))))
        .all()
        .get();

    var result =
        new TopicProvisioner(admin)
            .provision(List.of(spec("prov-more", 2, TopicSpec.Cleanup.DELETE)), TIMEOUT);

    assertThat(result.existing()).containsExactly("prov-more");
  }

  @Test
  void shouldNameEveryExistingTopicWithTooFewPartitionsOrTheWrongCleanupPolicy() throws Exception {
    admin
        .createTopics(
            List.of(
                new NewTopic("prov-few", 2, (short) 1),
                new NewTopic("prov-deleting", 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact,delete"))))
        .all()
        .get();
    var specs =
        List.of(
            spec("prov-few", 4, TopicSpec.Cleanup.DELETE),
            spec("prov-deleting", 1, TopicSpec.Cleanup.COMPACT),
            spec("prov-new", 1, TopicSpec.Cleanup.DELETE));

    assertThatThrownBy(() -> new TopicProvisioner(admin).provision(specs, TIMEOUT))
        .isInstanceOfSatisfying(
            TopicLayoutException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "topic prov-few has 2 partitions, needs 4",
                        "topic prov-deleting has cleanup.policy=compact,delete, needs compact"));
  }

  @Test
  void shouldRefuseTheSameTopicListedTwice() {
    var specs =
        List.of(
            spec("prov-twice", 1, TopicSpec.Cleanup.DELETE),
            spec("prov-twice", 2, TopicSpec.Cleanup.DELETE));
    assertThatThrownBy(() -> new TopicProvisioner(admin).provision(specs, TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("topic prov-twice is listed twice");
  }
}
