package dev.lodestone.judge.human;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnnotatorTokensTest {
  @TempDir Path dir;

  @Test
  void shouldStoreOnlyTheHashAndRecogniseTheSecret() throws Exception {
    Path file = dir.resolve("tokens.json");
    AnnotatorTokens.Created c = AnnotatorTokens.read(file).add("alice", Instant.EPOCH);
    AnnotatorTokens.read(file).with(c.token()).write(file);

    String stored = Files.readString(file);
    assertThat(stored).contains("alice").doesNotContain(c.secret());
    assertThat(c.secret()).startsWith("lst_").hasSizeGreaterThan(40);

    TokenAuthenticator auth = new TokenAuthenticator(file);
    assertThat(auth.check(c.secret()))
        .isEqualTo(new TokenAuthenticator.Valid("alice", c.token().id()));
    assertThat(auth.check(c.secret() + "x")).isInstanceOf(TokenAuthenticator.Unknown.class);
    assertThat(auth.check(null)).isInstanceOf(TokenAuthenticator.Unknown.class);
  }

  @Test
  void shouldRefuseARevokedTokenOnceTheFileChanges() throws Exception {
    Path file = dir.resolve("tokens.json");
    AnnotatorTokens.Created a = AnnotatorTokens.read(file).add("alice", Instant.EPOCH);
    AnnotatorTokens.Created b = AnnotatorTokens.read(file).add("bob", Instant.EPOCH);
    new AnnotatorTokens(java.util.List.of(a.token(), b.token())).write(file);
    TokenAuthenticator auth = new TokenAuthenticator(file);
    assertThat(auth.check(a.secret())).isInstanceOf(TokenAuthenticator.Valid.class);

    AnnotatorTokens.read(file).revoke("alice", Instant.EPOCH).write(file);
    assertThat(auth.check(a.secret())).isInstanceOf(TokenAuthenticator.Revoked.class);
    assertThat(auth.check(b.secret())).isInstanceOf(TokenAuthenticator.Valid.class);
    assertThatThrownBy(() -> AnnotatorTokens.read(file).revoke("alice", Instant.EPOCH))
        .hasMessageContaining("no active token");
  }

  @Test
  void shouldRefuseBadNamesAndFilesThatAreNotTokenFiles() throws Exception {
    assertThatThrownBy(() -> AnnotatorTokens.read(dir.resolve("none")).add("a b", Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("annotator's name");
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "[1, 2");
    assertThatThrownBy(() -> AnnotatorTokens.read(bad))
        .hasMessageContaining("is not a Lodestone token file");
  }
}
