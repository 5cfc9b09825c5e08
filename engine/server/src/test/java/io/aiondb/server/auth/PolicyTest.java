package io.aiondb.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.auth.Principal.Method;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyTest {
  private static final Principal ROOT = Principal.user("root", Method.PASSWORD_TOKEN);
  private static final Principal ADMIN = Principal.user("ada", Method.CERTIFICATE);
  private static final Principal ALICE = Principal.user("alice", Method.PASSWORD_TOKEN);
  private static final Principal BOB = Principal.user("bob", Method.PASSWORD_TOKEN);
  private static final Principal CAROL = Principal.user("carol", Method.PASSWORD_TOKEN);
  private static final Principal CI = Principal.service("ci", Method.API_KEY);
  private static final Principal CI_AS_USER = Principal.user("ci", Method.PASSWORD_TOKEN);
  private static final Principal OPERATOR = Principal.service("aion-operator", Method.API_KEY);
  private static final Principal GHOST = Principal.user("ghost", Method.PASSWORD_TOKEN);

  private static final Role ORDERS_EU_WRITER = new Role("orders-eu-writer", List.of(
      new Rule(List.of("orders"), List.of("eu/"), EnumSet.of(Operation.READ, Operation.WRITE, Operation.DELETE,
          Operation.QUERY))));
  private static final Role CI_ROLE = new Role("ci", List.of(
      Rule.of(List.of("ci-*", "artifacts"), EnumSet.of(Operation.READ, Operation.WRITE, Operation.NAMESPACE_ADMIN))));

  private static final Policy POLICY = new Policy(Map.of(
      "user:root", Set.of("root"),
      "user:ada", Set.of("admin"),
      "user:alice", Set.of("readwrite"),
      "user:bob", Set.of("readonly", "orders-eu-writer"),
      "service:ci", Set.of("ci"),
      "service:aion-operator", Set.of("aion-operator"),
      "user:ghost", Set.of("deleted-role")),
      List.of(ORDERS_EU_WRITER, CI_ROLE));

  private static byte[] b(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theDecisionTable() {
    Object[][] table = {
        // principal, operation, namespace, key or prefix (null: whole namespace), allowed
        {ROOT, "user-admin", null, null, true},
        {ROOT, "backup", null, null, true},
        {ROOT, "namespace-admin", "orders", null, true},
        {ROOT, "write", "orders", "any", true},
        {ADMIN, "user-admin", null, null, false},
        {ADMIN, "cluster-admin", null, null, true},
        {ADMIN, "index-admin", "orders", null, true},
        {ADMIN, "txn", "orders", "k", true},
        {ALICE, "write", "orders", "us/1", true},
        {ALICE, "query", "orders", null, true},
        {ALICE, "txn", "anything", "k", true},
        {ALICE, "namespace-admin", "orders", null, false},
        {ALICE, "index-admin", "orders", null, false},
        {ALICE, "backup", null, null, false},
        {BOB, "read", "orders", "us/1", true}, // readonly
        {BOB, "write", "orders", "eu/1", true}, // orders-eu-writer
        {BOB, "write", "orders", "eu/", true}, // the prefix itself
        {BOB, "delete", "orders", "eu/de/9", true},
        {BOB, "write", "orders", "us/1", false},
        {BOB, "write", "orders", "eu", false},
        {BOB, "write", "orders", null, false}, // the whole namespace is more than eu/
        {BOB, "write", "orders-eu", "eu/1", false},
        {BOB, "txn", "orders", "eu/1", false},
        {BOB, "watch", "logs", null, true},
        {CI, "write", "ci-123", "build/1", true},
        {CI, "namespace-admin", "ci-123", null, true},
        {CI, "namespace-admin", "artifacts", null, true},
        {CI, "read", "ci", "x", false},
        {CI, "read", "orders", "x", false},
        {CI, "delete", "ci-1", "x", false},
        {CI_AS_USER, "read", "ci-1", "x", false}, // user:ci is not service:ci
        {OPERATOR, "cluster-admin", null, null, true},
        {OPERATOR, "backup", null, null, true},
        {OPERATOR, "read", "orders", "k", false},
        {OPERATOR, "query", "orders", null, false},
        {OPERATOR, "user-admin", null, null, false},
        {CAROL, "read", "orders", "k", false}, // no binding
        {GHOST, "read", "orders", "k", false}, // bound to a role that does not exist
        {Principal.ANONYMOUS, "read", "orders", "k", false},
        {Principal.ANONYMOUS, "cluster-admin", null, null, false},
        {ROOT, "read", "_system", null, false},
        {ROOT, "write", "_system", "users/root", false},
    };
    for (Object[] row : table) {
      Principal p = (Principal) row[0];
      Operation op = Operation.fromWire((String) row[1]);
      Decision d = POLICY.check(p, op, (String) row[2], b((String) row[3]));
      assertThat(d.allowed()).as("%s %s %s %s", p.display(), row[1], row[2], row[3]).isEqualTo(row[4]);
      assertThat(d.principal()).isEqualTo(p);
      assertThat(d.operation()).isEqualTo(op);
      assertThat(d.namespace()).isEqualTo(row[2]);
      assertThat(d.keyOrPrefix()).isEqualTo(b((String) row[3]));
    }
  }

  @Test
  void anonymousHasRolesOnlyWhenBoundExplicitly() {
    Policy open = new Policy(Map.of("anonymous", Set.of("readonly")), List.of());
    assertThat(open.check(Principal.ANONYMOUS, Operation.READ, "public", b("k")).allowed()).isTrue();
    assertThat(open.check(Principal.ANONYMOUS, Operation.WRITE, "public", b("k")).allowed()).isFalse();
    assertThat(Policy.EMPTY.check(Principal.ANONYMOUS, Operation.READ, "public", b("k")).allowed()).isFalse();
    assertThat(Policy.EMPTY.check(ROOT, Operation.READ, "public", b("k")).allowed()).isFalse();
    assertThat(open.check(ROOT, Operation.READ, "public", b("k")).allowed()).isFalse();
  }

  @Test
  void theRefusalNamesOnlyWhatWasAsked() {
    Decision d = POLICY.check(BOB, Operation.WRITE, "orders", b("us/1"));
    assertThat(d.allowed()).isFalse();
    assertThat(d.message()).isEqualTo("user:bob may not write key or prefix 'us/1' in namespace 'orders'")
        .doesNotContain("eu/").doesNotContain("orders-eu-writer").doesNotContain("readonly");
    assertThat(POLICY.check(BOB, Operation.WRITE, "orders", null).message())
        .isEqualTo("user:bob may not write the whole of namespace 'orders'");
    assertThat(POLICY.check(ALICE, Operation.BACKUP, null, null).message())
        .isEqualTo("user:alice may not backup (cluster-wide)");
    assertThat(POLICY.check(CAROL, Operation.READ, "orders", new byte[] {0, (byte) 0xFF}).message())
        .isEqualTo("user:carol may not read key or prefix base64:AP8= in namespace 'orders'");
    String longKey = "k".repeat(100);
    assertThat(POLICY.check(CAROL, Operation.READ, "orders", b(longKey)).message())
        .contains("'" + "k".repeat(64) + "'... (100 bytes)").doesNotContain("k".repeat(65));
  }

  @Test
  void builtInRolesCannotBeRedefinedNorCustomRolesDefinedTwice() {
    for (String name : Role.BUILT_IN.keySet()) {
      Role fake = new Role(name, List.of(Rule.of(List.of("*"), EnumSet.allOf(Operation.class))));
      assertThatThrownBy(() -> new Policy(Map.of(), List.of(fake))).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("role '" + name + "' is built in and cannot be redefined");
    }
    assertThatThrownBy(() -> new Policy(Map.of(), List.of(CI_ROLE, new Role("ci", List.of()))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defined twice");
  }

  @Test
  void bindingsAreForUsersServicesOrAnonymous() {
    for (String bad : List.of("alice", "User:alice", "user:", "peer:n1", "Anonymous", "user:a\nb", ":alice")) {
      assertThatThrownBy(() -> new Policy(Map.of(bad, Set.of("readonly")), List.of()))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    Policy p = new Policy(Map.of("user:a:b", Set.of("readonly")), List.of()); // a name may contain ':'
    assertThat(p.check(Principal.user("a:b", Method.API_KEY), Operation.READ, "n", null).allowed()).isTrue();
  }

  @Test
  void checksMustSayNamespaceExactlyWhenTheOperationHasOne() {
    assertThatThrownBy(() -> POLICY.check(ROOT, Operation.BACKUP, "orders", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster-level");
    assertThatThrownBy(() -> POLICY.check(ROOT, Operation.USER_ADMIN, null, b("k")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> POLICY.check(ROOT, Operation.READ, null, b("k")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("namespace");
  }

  @Test
  void aPolicyIsASnapshotUnaffectedByItsInputs() {
    Map<String, Set<String>> bindings = new HashMap<>();
    Set<String> roles = new LinkedHashSet<>(List.of("readonly"));
    bindings.put("user:alice", roles);
    Policy p = new Policy(bindings, List.of());
    roles.add("root");
    bindings.put("user:bob", Set.of("root"));
    assertThat(p.check(ALICE, Operation.WRITE, "n", b("k")).allowed()).isFalse();
    assertThat(p.check(BOB, Operation.READ, "n", b("k")).allowed()).isFalse();
    assertThat(p.bindings()).containsOnlyKeys("user:alice");
    assertThatThrownBy(() -> p.bindings().get("user:alice").add("root"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(p.role("root")).contains(Role.ROOT);
    assertThat(POLICY.role("ci")).contains(CI_ROLE);
    assertThat(POLICY.role("nope")).isEmpty();
    assertThat(POLICY.rolesOf(BOB)).containsExactlyInAnyOrder(Role.READONLY, ORDERS_EU_WRITER);
    assertThat(POLICY.rolesOf(GHOST)).isEmpty();
  }
}
