package dev.lodestone.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.registry.SchemaRegistryException;
import dev.lodestone.stack.security.Role;
import dev.lodestone.stack.security.StackSecurity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The secured stack ({@code lodestone up --secure}): a client without credentials, or with a wrong
 * password, is refused; each role may write the topics its components write and no other; the
 * registry answers HTTPS to its users only.
 */
@Tag("integration")
class SecureStackIT {
  private static LocalStack stack;
  private static StackSecurity security;

  @BeforeAll
  static void start() {
    stack = new LocalStack(LocalStackConfig.ephemeral().withSecurity(true));
    stack.start(LocalStack.DEFAULT_START_TIMEOUT);
    security = stack.security().orElseThrow();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  private static ClusterConfig cluster(Role role) {
    return ClusterConfig.of(stack.bootstrapServers(), stack.registryUrl())
        .withClientProperties(ClusterConfig.readClientConfig(security.clientConfig(role)));
  }

  @Test
  void shouldWriteAClientConfigurationPerRoleReadableByItsOwnerOnly() throws Exception {
    for (Role role : Role.values()) {
      var file = security.clientConfig(role);
      assertThat(file).exists();
      // a set of enums whose iteration order differs from one JVM to the next
      assertThat(Files.getPosixFilePermissions(file))
          .containsExactlyInAnyOrder(
              java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
      Map<String, String> p = ClusterConfig.readClientConfig(file);
      assertThat(p)
          .containsEntry("security.protocol", "SASL_SSL")
          .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
          .containsKey("basic.auth.user.info");
    }
    assertThat(stack.registryUrl()).startsWith("https://");
  }

  @Test
  void shouldRefuseAClientWithoutCredentialsOrWithAWrongPassword() {
    Properties plain = new Properties();
    plain.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    plain.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    plain.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "4000");
    try (Admin admin = Admin.create(plain)) {
      assertThatThrownBy(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS))
          .isInstanceOfAny(ExecutionException.class, java.util.concurrent.TimeoutException.class);
    }

    Properties wrong = cluster(Role.SAMPLER).clientProperties("it-wrong-password");
    wrong.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"sampler\""
            + " password=\"not-the-password\";");
    wrong.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    wrong.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "8000");
    try (Admin admin = Admin.create(wrong)) {
      assertThatThrownBy(() -> admin.listTopics().names().get(15, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SaslAuthenticationException.class);
    }
  }

  @Test
  void shouldLetEachRoleWriteItsOwnTopicsAndNoOther() throws Exception {
    assertWrites(Role.SAMPLER, Topics.SAMPLES.name(), true);
    assertWrites(Role.SAMPLER, Topics.POLICY.name(), false);
    assertWrites(Role.SAMPLER, Topics.LABELS.name(), false);
    assertWrites(Role.JUDGE, Topics.LABELS.name(), true);
    assertWrites(Role.JUDGE, Topics.FEEDBACK.name(), true);
    assertWrites(Role.SAMPLER, Topics.FEEDBACK.name(), false);
    assertWrites(Role.JUDGE, Topics.POLICY.name(), false);
    assertWrites(Role.JUDGE, Topics.SAMPLES.name(), false);
    assertWrites(Role.LEARNER, Topics.POLICY.name(), true);
    assertWrites(Role.LEARNER, Topics.LABELED.name(), false);
    assertWrites(Role.ADMIN, Topics.PROMPTS.name(), true);
  }

  private static void assertWrites(Role role, String topic, boolean allowed) throws Exception {
    Properties p = cluster(role).clientProperties("it-" + role.user() + "-" + topic);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      var send = producer.send(new ProducerRecord<>(topic, "it", new byte[] {1}));
      if (allowed) {
        assertThat(send.get(20, TimeUnit.SECONDS).topic()).isEqualTo(topic);
      } else {
        assertThatThrownBy(() -> send.get(20, TimeUnit.SECONDS))
            .as("%s writing %s", role.principal(), topic)
            .hasCauseInstanceOf(TopicAuthorizationException.class);
      }
    }
  }

  @Test
  void shouldServeTheRegistryOverHttpsToItsUsersOnly() throws Exception {
    Schema schema = new Schema.Parser().parse("{\"type\": \"string\"}");
    SchemaRegistryClient sampler = cluster(Role.SAMPLER).registryClient();
    int id = sampler.register("it-secure-value", schema);
    assertThat(sampler.schemaById(id)).isEqualTo(schema);

    Map<String, String> noPassword =
        ClusterConfig.readClientConfig(security.clientConfig(Role.SAMPLER));
    noPassword.remove("basic.auth.user.info");
    noPassword.remove("basic.auth.credentials.source");
    SchemaRegistryClient anonymous =
        new ClusterConfig(stack.bootstrapServers(), URI.create(stack.registryUrl()), noPassword)
            .registryClient();
    assertThatThrownBy(() -> anonymous.register("it-anonymous-value", schema))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class, e -> assertThat(e.httpStatus()).isEqualTo(401));

    // Plain HTTP to the HTTPS port gets no answer a client could take for the registry's.
    String plainUrl = stack.registryUrl().replace("https://", "http://") + "/subjects";
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThatThrownBy(
            () ->
                http.send(
                    HttpRequest.newBuilder(URI.create(plainUrl))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(java.io.IOException.class);
  }
}
