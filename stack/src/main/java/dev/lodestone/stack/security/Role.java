package dev.lodestone.stack.security;

import dev.lodestone.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The principals of a secured stack, one per kind of component, and what each may do: nothing
 * beyond what its component needs. Each is a SCRAM user of the broker ({@code User:<name>}) and a
 * basic-auth user of the schema registry.
 *
 * <ul>
 *   <li>{@link #SAMPLER}: reads {@code policy} and {@code prompts}, writes {@code samples}; reads
 *       {@code samples} (its model's groups) and the label join's {@code dead-letters}
 *       (back-pressure).
 *   <li>{@link #JUDGE}: the judges and the label join (one {@code lodestone judge} process runs
 *       both): read {@code samples} and {@code labels}, write {@code labels} and {@code labeled};
 *       their Kafka Streams state topics, consumer groups and transactional ids begin with {@code
 *       judge-} or {@code label-join-}. The human judge ({@code lodestone feedback}) also reads and
 *       writes {@code feedback}; its group and transactional id begin with {@code
 *       lodestone-feedback}.
 *   <li>{@link #LEARNER}: reads {@code labeled}, {@code replay} and {@code learner-state}, writes
 *       {@code policy} and {@code learner-state}; reads the end offsets of {@code samples} and
 *       {@code dead-letters}; its group and transactional id begin with {@code lodestone-learner-}.
 *   <li>{@link #ADMIN}: a super user, for the stack itself and the operator's tools ({@code
 *       export}, {@code import}, {@code relabel}, {@code replay}).
 * </ul>
 *
 * Every component may write {@code metrics} and {@code dead-letters}.
 */
public enum Role {
  ADMIN,
  SAMPLER,
  JUDGE,
  LEARNER;

  /** The user name, e.g. {@code sampler}. */
  public String user() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The broker principal, e.g. {@code User:sampler}. */
  public String principal() {
    return "User:" + user();
  }

  /** The ACLs this role needs (none for the super user). */
  public List<AclBinding> acls() {
    Acls a = new Acls(principal());
    switch (this) {
      case SAMPLER -> {
        a.read(
            Topics.POLICY.name(),
            Topics.PROMPTS.name(),
            Topics.DEAD_LETTERS.name(),
            Topics.SAMPLES.name());
        a.write(Topics.SAMPLES.name());
        a.groups("lodestone-samplers-", "sampler-");
      }
      case JUDGE -> {
        a.read(Topics.SAMPLES.name(), Topics.LABELS.name(), Topics.FEEDBACK.name());
        a.write(Topics.LABELS.name(), Topics.LABELED.name(), Topics.FEEDBACK.name());
        a.internal("judge-", "label-join-");
        a.groups("lodestone-feedback");
        a.transactions("lodestone-feedback");
      }
      case LEARNER -> {
        a.read(Topics.LABELED.name(), Topics.REPLAY.name(), Topics.LEARNER_STATE.name());
        a.write(Topics.POLICY.name(), Topics.LEARNER_STATE.name());
        a.describe(Topics.SAMPLES.name(), Topics.DEAD_LETTERS.name());
        a.groups("lodestone-learner-");
        a.transactions("lodestone-learner-");
      }
      case ADMIN -> {
        return List.of();
      }
    }
    a.write(Topics.METRICS.name(), Topics.DEAD_LETTERS.name());
    return a.bindings;
  }

  /** Builds the bindings of one principal. */
  private static final class Acls {
    private final String principal;
    private final List<AclBinding> bindings = new ArrayList<>();

    Acls(String principal) {
      this.principal = principal;
    }

    void read(String... topics) {
      for (String topic : topics) {
        allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ);
        allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE);
      }
    }

    void write(String... topics) {
      for (String topic : topics) {
        allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE);
        allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE);
      }
    }

    void describe(String... topics) {
      for (String topic : topics) {
        allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.DESCRIBE);
      }
    }

    void groups(String... prefixes) {
      for (String prefix : prefixes) {
        allow(ResourceType.GROUP, prefix, PatternType.PREFIXED, AclOperation.READ);
        allow(ResourceType.GROUP, prefix, PatternType.PREFIXED, AclOperation.DESCRIBE);
      }
    }

    void transactions(String... prefixes) {
      for (String prefix : prefixes) {
        allow(ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED, AclOperation.WRITE);
        allow(ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED, AclOperation.DESCRIBE);
      }
    }

    /** A Kafka Streams application's own topics, group and transactional ids. */
    void internal(String... prefixes) {
      for (String prefix : prefixes) {
        allow(ResourceType.TOPIC, prefix, PatternType.PREFIXED, AclOperation.ALL);
        groups(prefix);
        transactions(prefix);
      }
    }

    private void allow(ResourceType type, String name, PatternType pattern, AclOperation op) {
      bindings.add(
          new AclBinding(
              new ResourcePattern(type, name, pattern),
              new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
    }
  }
}
