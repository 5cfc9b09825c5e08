package io.aiondb.server.auth;

import static io.aiondb.server.auth.Operation.BACKUP;
import static io.aiondb.server.auth.Operation.CLUSTER_ADMIN;
import static io.aiondb.server.auth.Operation.DELETE;
import static io.aiondb.server.auth.Operation.INDEX_ADMIN;
import static io.aiondb.server.auth.Operation.NAMESPACE_ADMIN;
import static io.aiondb.server.auth.Operation.QUERY;
import static io.aiondb.server.auth.Operation.READ;
import static io.aiondb.server.auth.Operation.TXN;
import static io.aiondb.server.auth.Operation.USER_ADMIN;
import static io.aiondb.server.auth.Operation.WATCH;
import static io.aiondb.server.auth.Operation.WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoleTest {
  @Test
  void builtInRolesGrantExactlyWhatTheDesignSays() {
    Map<Role, Set<Operation>> expected = Map.of(
        Role.ROOT, EnumSet.allOf(Operation.class),
        Role.ADMIN, EnumSet.complementOf(EnumSet.of(USER_ADMIN)),
        Role.READWRITE, EnumSet.of(READ, WRITE, DELETE, QUERY, WATCH, TXN),
        Role.READONLY, EnumSet.of(READ, QUERY, WATCH),
        Role.AION_OPERATOR, EnumSet.of(Operation.CLUSTER_READ, CLUSTER_ADMIN, BACKUP));
    for (var e : expected.entrySet()) {
      Role role = e.getKey();
      for (Operation op : Operation.values()) {
        boolean want = e.getValue().contains(op);
        if (op.isClusterLevel()) {
          assertThat(role.grants(op, null, null)).as("%s %s", role.name(), op).isEqualTo(want);
        } else {
          for (String ns : List.of("orders", "a", "x-y.z_1")) {
            assertThat(role.grants(op, ns, null)).as("%s %s %s", role.name(), op, ns).isEqualTo(want);
            assertThat(role.grants(op, ns, "k".getBytes(StandardCharsets.UTF_8))).isEqualTo(want);
          }
          assertThat(role.grants(op, "_system", null)).as("%s on _system", role.name()).isFalse();
        }
      }
    }
    assertThat(Role.BUILT_IN.keySet()).containsExactly("root", "admin", "readwrite", "readonly", "aion-operator");
    assertThat(Role.isBuiltIn("root")).isTrue();
    assertThat(Role.isBuiltIn("Root")).isFalse();
    assertThat(List.of(INDEX_ADMIN, NAMESPACE_ADMIN)).allMatch(op -> Role.ADMIN.grants(op, "orders", null));
  }

  @Test
  void roleNamesAndSizesAreValidated() {
    assertThat(new Role("orders-writer.v2_1", List.of()).rules()).isEmpty();
    assertThatThrownBy(() -> new Role("", List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a-z");
    assertThatThrownBy(() -> new Role("Orders", List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Role("-x", List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Role("a b", List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Role("r".repeat(257), List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 256");
    Rule rule = Rule.of(List.of("n"), Set.of(READ));
    assertThatThrownBy(() -> new Role("big", Collections.nCopies(101, rule)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 100");
    assertThatThrownBy(() -> new Role("r", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aRoleGrantsTheUnionOfItsRules() {
    Role role = new Role("mixed", List.of(
        new Rule(List.of("orders"), List.of("eu/"), Set.of(READ)),
        Rule.of(List.of("logs-*"), Set.of(WRITE))));
    assertThat(role.grants(READ, "orders", "eu/1".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(role.grants(WRITE, "logs-a", null)).isTrue();
    assertThat(role.grants(WRITE, "orders", "eu/1".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(role.grants(READ, "logs-a", null)).isFalse();
  }
}
