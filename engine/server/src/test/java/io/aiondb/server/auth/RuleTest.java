package io.aiondb.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuleTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aRuleGrantsItsOperationsOnMatchingNamespacesUnderItsPrefixes() {
    Rule r = new Rule(List.of("orders", "ci-*"), List.of("eu/", "é/"), EnumSet.of(Operation.READ, Operation.QUERY));
    assertThat(r.grants(Operation.READ, "orders", b("eu/1"))).isTrue();
    assertThat(r.grants(Operation.QUERY, "ci-7", b("eu/"))).isTrue(); // the prefix itself
    assertThat(r.grants(Operation.READ, "orders", b("é/x"))).isTrue(); // UTF-8 bytes
    assertThat(r.grants(Operation.READ, "orders", b("e/x"))).isFalse();
    assertThat(r.grants(Operation.READ, "orders", b("eu"))).isFalse(); // shorter than the prefix
    assertThat(r.grants(Operation.READ, "orders", b("us/1"))).isFalse();
    assertThat(r.grants(Operation.READ, "orders", null)).isFalse(); // the whole namespace is more than the prefixes
    assertThat(r.grants(Operation.READ, "orders", new byte[0])).isFalse();
    assertThat(r.grants(Operation.WRITE, "orders", b("eu/1"))).isFalse();
    assertThat(r.grants(Operation.READ, "orders2", b("eu/1"))).isFalse();
    assertThat(r.grants(Operation.READ, "ci", b("eu/1"))).isFalse();
  }

  @Test
  void prefixesCompareBytesNotCharacters() {
    Rule r = new Rule(List.of("*"), List.of("é"), Set.of(Operation.READ)); // C3 A9
    assertThat(r.grants(Operation.READ, "n", new byte[] {(byte) 0xC3, (byte) 0xA9, (byte) 0xFF})).isTrue();
    assertThat(r.grants(Operation.READ, "n", new byte[] {(byte) 0xC3})).isFalse();
    assertThat(r.grants(Operation.READ, "n", new byte[] {(byte) 0xC3, (byte) 0xA8})).isFalse();
    assertThat(r.grants(Operation.READ, "n", new byte[] {(byte) 0xE9})).isFalse(); // é in Latin-1
  }

  @Test
  void withoutPrefixesARuleGrantsTheWholeNamespaceAndEveryKey() {
    Rule r = Rule.of(List.of("orders"), Set.of(Operation.DELETE));
    assertThat(r.keyPrefixes()).isEmpty();
    assertThat(r.grants(Operation.DELETE, "orders", null)).isTrue();
    assertThat(r.grants(Operation.DELETE, "orders", b("any"))).isTrue();
    assertThat(new Rule(List.of("orders"), null, Set.of(Operation.READ)).keyPrefixes()).isEmpty();
  }

  @Test
  void systemNamespacesAreNeverGranted() {
    Rule all = Rule.of(List.of("*"), EnumSet.allOf(Operation.class));
    assertThat(all.grants(Operation.READ, "_system", null)).isFalse();
    assertThat(all.grants(Operation.WRITE, "_system", b("users/root"))).isFalse();
    assertThat(all.grants(Operation.READ, "system", null)).isTrue();
    assertThat(Rule.of(List.of("*system"), Set.of(Operation.READ)).grants(Operation.READ, "_system", null)).isFalse();
    assertThatThrownBy(() -> Rule.of(List.of("_system"), Set.of(Operation.READ)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("system");
    assertThatThrownBy(() -> Rule.of(List.of("_*"), Set.of(Operation.READ)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clusterLevelOperationsAreGrantedOnlyByTheRuleOnStar() {
    Rule star = Rule.of(List.of("*"), Set.of(Operation.BACKUP, Operation.READ));
    assertThat(star.grants(Operation.BACKUP, null, null)).isTrue();
    assertThat(star.grants(Operation.CLUSTER_ADMIN, null, null)).isFalse();
    Rule globs = Rule.of(List.of("a*", "*b"), Set.of(Operation.READ));
    assertThat(globs.grants(Operation.READ, null, null)).isFalse(); // only the literal "*" covers the cluster
    for (Operation op : List.of(Operation.USER_ADMIN, Operation.CLUSTER_ADMIN, Operation.BACKUP)) {
      assertThatThrownBy(() -> Rule.of(List.of("orders"), Set.of(op))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("whole cluster").hasMessageContaining("[\"*\"]");
      assertThatThrownBy(() -> Rule.of(List.of("*", "orders"), Set.of(op)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new Rule(List.of("*"), List.of("a/"), Set.of(op)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no key prefixes");
    }
  }

  @Test
  void invalidRulesAreRefusedWithAClearMessage() {
    Set<Operation> read = Set.of(Operation.READ);
    assertRefused(() -> Rule.of(List.of(), read), "at least one namespace");
    assertRefused(() -> Rule.of(null, read), "at least one namespace");
    assertRefused(() -> Rule.of(List.of("orders"), Set.of()), "needs an operation");
    assertRefused(() -> Rule.of(List.of("orders"), null), "needs an operation");
    assertRefused(() -> Rule.of(Collections.nCopies(101, "n"), read), "at most 100");
    assertRefused(() -> new Rule(List.of("n"), Collections.nCopies(101, "p"), read), "at most 100");
    assertRefused(() -> Rule.of(List.of("n".repeat(257)), read), "256");
    assertRefused(() -> Rule.of(List.of(""), read), "256");
    assertRefused(() -> Rule.of(List.of("Orders"), read), "a-z");
    assertRefused(() -> Rule.of(List.of("ord ers"), read), "a-z");
    assertRefused(() -> Rule.of(List.of("ord?rs"), read), "a-z");
    assertRefused(() -> new Rule(List.of("n"), List.of(""), read), "leave keyPrefixes empty");
    assertRefused(() -> new Rule(List.of("n"), List.of("p".repeat(257)), read), "256");
    List<String> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> Rule.of(withNull, read)).isInstanceOf(NullPointerException.class);
    Set<Operation> nullOp = new java.util.HashSet<>();
    nullOp.add(null);
    assertRefused(() -> Rule.of(List.of("n"), nullOp), "null");
    // the limits themselves are allowed
    assertThat(new Rule(Collections.nCopies(100, "n".repeat(256)), Collections.nCopies(100, "p".repeat(256)), read)
        .namespaces()).hasSize(100);
  }

  @Test
  void aRuleIsImmutable() {
    List<String> namespaces = new ArrayList<>(List.of("orders"));
    List<String> prefixes = new ArrayList<>(List.of("a/"));
    Set<Operation> ops = EnumSet.of(Operation.READ);
    Rule r = new Rule(namespaces, prefixes, ops);
    namespaces.add("*");
    prefixes.clear();
    ops.add(Operation.WRITE);
    assertThat(r.grants(Operation.READ, "other", b("a/1"))).isFalse();
    assertThat(r.grants(Operation.READ, "orders", null)).isFalse();
    assertThat(r.grants(Operation.WRITE, "orders", b("a/1"))).isFalse();
    assertThatThrownBy(() -> r.namespaces().add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> r.operations().add(Operation.DELETE)).isInstanceOf(UnsupportedOperationException.class);
  }

  private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
    assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }
}
