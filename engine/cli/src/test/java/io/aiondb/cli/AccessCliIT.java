package io.aiondb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.AionServer;
import io.aiondb.server.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aion user|role|group|service} against a node with auth.enabled (docs/cli.md "user, role, group, service"):
 * what root makes with them is what the made identities may then do.
 */
class AccessCliIT {
  @TempDir Path dir;

  private static String[] concat(List<String> a, String... b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(List.of(b));
    return out.toArray(String[]::new);
  }

  private static Run ok(Run r) {
    assertThat(r.exit()).as(r.toString()).isZero();
    return r;
  }

  @Test
  void rootMakesARoleAUserAGroupAndAServiceAccountThatThenWorkAsGranted() throws Exception {
    Path pw = Files.writeString(dir.resolve("root.pw"), "root-secret-pw\n");
    AionServer server = AionServer.start(ConfigLoader.load(new String[] {"--http.port=0", "--raft.port=0",
        "--protocol.port=0", "--data.dir=" + dir.resolve("data"), "--storage.sync=false", "--shutdown.grace=2s",
        "--auth.enabled=true", "--auth.root-password-file=" + pw}, Map.of(), null));
    try {
      List<String> g = List.of("--endpoints=127.0.0.1:" + server.protocolPort(), "--http=" + server.url(), "--timeout=5s");
      org.awaitility.Awaitility.await("root can log in").atMost(Duration.ofSeconds(30))
          .until(() -> Run.aion(Map.of(), "", concat(g, "login", "--user", "root", "--password-file", pw.toString()))
              .exit() == 0);
      String root = ok(Run.aion(Map.of(), "", concat(g, "login", "--user", "root", "--password-file", pw.toString())))
          .out().strip();
      Map<String, String> asRoot = Map.of("AION_TOKEN", root);
      ok(Run.aion(asRoot, "", concat(g, "ns", "create", "orders")));
      ok(Run.aion(asRoot, "", concat(g, "put", "orders", "eu/1", "one")));
      ok(Run.aion(asRoot, "", concat(g, "put", "orders", "us/1", "uno")));

      // a role from a rules file, a user bound to nothing, a group giving the role to the user
      Path rules = Files.writeString(dir.resolve("rules.json"),
          "[{\"namespaces\":[\"orders\"],\"keyPrefixes\":[\"eu/\"],\"operations\":[\"read\",\"write\"]}]");
      Run role = ok(Run.aion(asRoot, "", concat(g, "role", "set", "orders-eu", "--rules-file", rules.toString())));
      assertThat(role.out()).contains("orders-eu", "eu/");
      Path alicePw = Files.writeString(dir.resolve("alice.pw"), "alice-password-1\n");
      ok(Run.aion(asRoot, "", concat(g, "user", "set", "alice", "--password-file", alicePw.toString())));
      String alice = ok(Run.aion(Map.of(), "", concat(g, "login", "--user", "alice", "--password-file",
          alicePw.toString()))).out().strip();
      Run refused = Run.aion(Map.of("AION_TOKEN", alice), "", concat(g, "get", "orders", "eu/1"));
      assertThat(refused.exit()).as(refused.toString()).isEqualTo(ExitCode.ERROR);
      assertThat(refused.err()).contains("FORBIDDEN");

      Run group = ok(Run.aion(asRoot, "", concat(g, "group", "set", "eu-team", "--role", "orders-eu", "--member",
          "user:alice")));
      assertThat(group.out()).contains("eu-team", "orders-eu", "user:alice");
      assertThat(ok(Run.aion(Map.of("AION_TOKEN", alice), "", concat(g, "get", "orders", "eu/1"))).out()).contains("one");
      assertThat(Run.aion(Map.of("AION_TOKEN", alice), "", concat(g, "get", "orders", "us/1")).exit())
          .as("outside the role's prefix").isEqualTo(ExitCode.ERROR);
      assertThat(ok(Run.aion(asRoot, "", concat(g, "-o", "json", "group", "list"))).out())
          .contains("\"members\":[\"user:alice\"]");

      // the user bound directly, the group removed: still allowed; the user's roles emptied: refused again
      ok(Run.aion(asRoot, "", concat(g, "user", "set", "alice", "--role", "orders-eu")));
      ok(Run.aion(asRoot, "", concat(g, "group", "delete", "eu-team")));
      assertThat(ok(Run.aion(asRoot, "", concat(g, "user", "get", "alice"))).out()).contains("orders-eu");
      ok(Run.aion(Map.of("AION_TOKEN", alice), "", concat(g, "put", "orders", "eu/2", "two")));
      ok(Run.aion(asRoot, "", concat(g, "user", "set", "alice")));
      assertThat(Run.aion(Map.of("AION_TOKEN", alice), "", concat(g, "get", "orders", "eu/1")).exit())
          .isEqualTo(ExitCode.ERROR);

      // a service account and its key: printed once, works, then removed
      ok(Run.aion(asRoot, "", concat(g, "service", "set", "ci", "--role", "readonly")));
      String key = ok(Run.aion(asRoot, "", concat(g, "service", "key-create", "ci"))).out().strip();
      assertThat(key).startsWith("aion_");
      assertThat(ok(Run.aion(Map.of("AION_TOKEN", key), "", concat(g, "get", "orders", "us/1"))).out()).contains("uno");
      String keyId = key.substring(5, 17);
      assertThat(ok(Run.aion(asRoot, "", concat(g, "service", "list"))).out()).contains("ci", "readonly", keyId)
          .doesNotContain(key.substring(18));
      ok(Run.aion(asRoot, "", concat(g, "service", "key-delete", "ci", keyId)));
      assertThat(Run.aion(Map.of("AION_TOKEN", key), "", concat(g, "get", "orders", "us/1")).exit())
          .isEqualTo(ExitCode.ERROR);

      // refusals: not user-admin, a bad rules file, a role that does not exist
      Run notAdmin = Run.aion(Map.of("AION_TOKEN", alice), "", concat(g, "user", "list"));
      assertThat(notAdmin.exit()).isEqualTo(ExitCode.ERROR);
      assertThat(notAdmin.err()).contains("FORBIDDEN");
      Path bad = Files.writeString(dir.resolve("bad.json"), "{\"rule\": []}");
      assertThat(Run.aion(asRoot, "", concat(g, "role", "set", "x", "--rules-file", bad.toString())).exit())
          .isEqualTo(ExitCode.USAGE);
      Run noRole = Run.aion(asRoot, "", concat(g, "user", "set", "bob", "--role", "nope", "--password-file",
          alicePw.toString()));
      assertThat(noRole.exit()).isEqualTo(ExitCode.ERROR);
      assertThat(noRole.err()).contains("no role 'nope'");
      assertThat(ok(Run.aion(asRoot, "", concat(g, "user", "delete", "alice"))).out()).contains("deleted alice");
      assertThat(Run.aion(Map.of(), "", concat(g, "login", "--user", "alice", "--password-file", alicePw.toString()))
          .exit()).isEqualTo(ExitCode.ERROR);
    } finally {
      server.close();
    }
  }
}
