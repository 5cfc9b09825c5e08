package io.aiondb.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.auth.Principal.Kind;
import io.aiondb.server.auth.Principal.Method;
import org.junit.jupiter.api.Test;

class PrincipalTest {
  @Test
  void displayNamesTheKindAndTheAccount() {
    assertThat(Principal.user("alice", Method.PASSWORD_TOKEN).display()).isEqualTo("user:alice");
    assertThat(Principal.service("ci", Method.API_KEY).display()).isEqualTo("service:ci");
    assertThat(Principal.ANONYMOUS.display()).isEqualTo("anonymous");
    assertThat(Principal.user("ci", Method.CERTIFICATE).display())
        .isNotEqualTo(Principal.service("ci", Method.CERTIFICATE).display());
  }

  @Test
  void theAnonymousPrincipalIsTheOnlyOneWithoutAnAuthenticationMethod() {
    assertThat(Principal.ANONYMOUS.kind()).isEqualTo(Kind.ANONYMOUS);
    assertThat(Principal.ANONYMOUS.method()).isEqualTo(Method.NONE);
    assertThat(new Principal("anonymous", Kind.ANONYMOUS, Method.NONE)).isEqualTo(Principal.ANONYMOUS);
    assertThatThrownBy(() -> Principal.user("alice", Method.NONE)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NONE");
    assertThatThrownBy(() -> new Principal("anonymous", Kind.ANONYMOUS, Method.API_KEY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Principal("bob", Kind.ANONYMOUS, Method.NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'anonymous'");
  }

  @Test
  void namesAreOneTo256CharactersWithoutControlCharacters() {
    assertThat(Principal.user("a".repeat(256), Method.API_KEY).name()).hasSize(256);
    assertThat(Principal.user("Ålice Smith@example.com", Method.CERTIFICATE).display())
        .isEqualTo("user:Ålice Smith@example.com");
    assertThatThrownBy(() -> Principal.user("", Method.API_KEY)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> Principal.user("a".repeat(257), Method.API_KEY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 256");
    assertThatThrownBy(() -> Principal.user("alice\nuser:root", Method.API_KEY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control");
    assertThatThrownBy(() -> Principal.user(null, Method.API_KEY)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void kindsHaveLowerCaseWireNames() {
    for (Kind k : Kind.values()) assertThat(Kind.fromWire(k.wire())).isEqualTo(k);
    assertThat(Kind.USER.wire()).isEqualTo("user");
    assertThatThrownBy(() -> Kind.fromWire("USER")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Kind.fromWire("peer")).isInstanceOf(IllegalArgumentException.class);
  }
}
