package io.aiondb.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AuthRecordsTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T00:00:00Z"), ZoneOffset.UTC);

  private static byte[] secret(int fill) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) fill);
    return b;
  }

  @Test
  void compilesUsersRolesAndKeysAndSkipsUnreadableRecords() {
    TreeMap<String, byte[]> records = new TreeMap<>();
    Role eu = new Role("orders-eu", List.of(new Rule(List.of("orders"), List.of("eu/"), EnumSet.of(Operation.READ))));
    records.put("role/orders-eu", AuthRecords.encode(eu));
    records.put("user/alice", AuthRecords.encode(new AuthRecords.User("alice", "$argon2id$x", List.of("orders-eu"), 3)));
    records.put("user/broken", "{not json".getBytes(StandardCharsets.UTF_8));
    records.put("signing-key/k1", AuthRecords.encode(new AuthRecords.SigningKey("k1", secret(1), 1000)));
    records.put("signing-key/k2", AuthRecords.encode(new AuthRecords.SigningKey("k2", secret(2), 2000)));
    AuthRecords.Snapshot s = AuthRecords.compile(records, CLOCK);

    assertThat(s.users()).containsOnlyKeys("alice");
    assertThat(s.users().get("alice").epoch()).isEqualTo(3);
    Principal alice = s.users().get("alice").principal();
    assertThat(s.policy().check(alice, Operation.READ, "orders", "eu/1".getBytes()).allowed()).isTrue();
    assertThat(s.policy().check(alice, Operation.READ, "orders", "us/1".getBytes()).allowed()).isFalse();
    assertThat(s.policy().check(alice, Operation.WRITE, "orders", "eu/1".getBytes()).allowed()).isFalse();
    // the newest key signs; every key verifies
    TokenSigner.Issued t = s.signer().issue(alice, 3, Duration.ofMinutes(5));
    assertThat(t.token()).startsWith("v1.k2.");
    TreeMap<String, byte[]> onlyOld = new TreeMap<>(records);
    onlyOld.remove("signing-key/k2");
    assertThat(AuthRecords.compile(onlyOld, CLOCK).signer().issue(alice, 3, Duration.ofMinutes(5)).token()).startsWith("v1.k1.");
    assertThat(s.signer().verify(AuthRecords.compile(onlyOld, CLOCK).signer().issue(alice, 3, Duration.ofMinutes(5))
        .token()).principal()).isEqualTo(alice);
  }

  @Test
  void aGroupAddsItsRolesToEachMemberAndOnlyToThem() {
    TreeMap<String, byte[]> records = new TreeMap<>();
    Role writer = new Role("orders-writer", List.of(new Rule(List.of("orders"), List.of(), EnumSet.of(Operation.WRITE))));
    records.put("role/orders-writer", AuthRecords.encode(writer));
    records.put("user/alice", AuthRecords.encode(new AuthRecords.User("alice", "$argon2id$x", List.of("readonly"), 0)));
    records.put("user/bob", AuthRecords.encode(new AuthRecords.User("bob", "$argon2id$x", List.of(), 0)));
    records.put("group/writers", AuthRecords.encode(new AuthRecords.Group("writers", List.of("orders-writer"),
        List.of("user:alice", "service:ci", "user:alice", "user:carol"))));
    records.put("group/broken", "{\"name\":\"broken\",\"roles\":[\"root\"],\"members\":[\"anonymous\"]}"
        .getBytes(StandardCharsets.UTF_8));
    AuthRecords.Snapshot s = AuthRecords.compile(records, CLOCK);

    Principal alice = Principal.user("alice", Principal.Method.PASSWORD_TOKEN);
    assertThat(s.policy().check(alice, Operation.WRITE, "orders", "k".getBytes()).allowed()).as("from the group").isTrue();
    assertThat(s.policy().check(alice, Operation.READ, "orders", "k".getBytes()).allowed()).as("her own").isTrue();
    assertThat(s.policy().check(Principal.user("bob", Principal.Method.PASSWORD_TOKEN), Operation.WRITE, "orders",
        "k".getBytes()).allowed()).as("not a member").isFalse();
    assertThat(s.policy().check(Principal.service("ci", Principal.Method.API_KEY), Operation.WRITE, "orders",
        "k".getBytes()).allowed()).isTrue();
    assertThat(s.policy().check(Principal.user("carol", Principal.Method.CERTIFICATE), Operation.WRITE, "orders",
        "k".getBytes()).allowed()).as("a certificate identity without a record, through its group").isTrue();
    assertThat(s.policy().check(Principal.ANONYMOUS, Operation.READ, "orders", "k".getBytes()).allowed())
        .as("a record naming anonymous is unreadable and grants nothing").isFalse();
    assertThat(s.groups()).containsOnlyKeys("writers");
    assertThat(s.groups().get("writers").members()).containsExactly("user:alice", "service:ci", "user:carol");
    assertThat(s.groupsOf("user:alice")).containsExactly("writers");
    assertThatThrownBy(() -> new AuthRecords.Group("g", List.of(), List.of("group:x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user:<name> or service:<name>");
  }

  @Test
  void noRecordsMeansNoSignerAndEverythingDenied() {
    AuthRecords.Snapshot s = AuthRecords.compile(new TreeMap<>(), CLOCK);
    assertThat(s.signer()).isNull();
    assertThat(s.policy().check(Principal.user("x", Principal.Method.PASSWORD_TOKEN), Operation.READ, "a", null).allowed())
        .isFalse();
  }

  @Test
  void rulesParseStrictly() throws Exception {
    ObjectMapper m = new ObjectMapper();
    List<Rule> rules = AuthRecords.parseRules(m.readTree(
        "[{\"namespaces\":[\"orders\",\"logs-*\"],\"keyPrefixes\":[\"eu/\"],\"operations\":[\"read\",\"watch\"]}]"));
    assertThat(rules).hasSize(1);
    assertThat(rules.get(0).operations()).containsExactlyInAnyOrder(Operation.READ, Operation.WATCH);
    assertThat(AuthRecords.parseRules(m.readTree(AuthRecords.rulesJson(rules).toString()))).isEqualTo(rules);
    for (String bad : List.of("{}", "[1]", "[{\"namespaces\":\"orders\",\"operations\":[\"read\"]}]",
        "[{\"namespaces\":[\"orders\"],\"operations\":[\"fly\"]}]", "[{\"namespaces\":[\"orders\"]}]",
        "[{\"namespaces\":[\"orders\"],\"operations\":[\"read\"],\"extra\":1}]",
        "[{\"namespaces\":[\"orders\"],\"operations\":[1]}]")) {
      assertThatThrownBy(() -> AuthRecords.parseRules(m.readTree(bad))).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
