package io.aiondb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

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
 * {@code aion login} and {@code --token} / {@code $AION_TOKEN} / a context's token ({@code login --save}) against a node
 * with auth.enabled (docs/security.md).
 */
class LoginCliIT {
  @TempDir Path dir;

  @Test
  void loginPrintsATokenThatTheOtherCommandsUse() throws Exception {
    Path pw = Files.writeString(dir.resolve("root.pw"), "root-secret-pw\n");
    AionServer server = AionServer.start(ConfigLoader.load(new String[] {"--http.port=0", "--raft.port=0",
        "--protocol.port=0", "--data.dir=" + dir.resolve("data"), "--storage.sync=false", "--shutdown.grace=2s",
        "--auth.enabled=true", "--auth.root-password-file=" + pw}, Map.of(), null));
    try {
      List<String> globals = List.of("--endpoints=127.0.0.1:" + server.protocolPort(), "--http=" + server.url(),
          "--timeout=5s");
      org.awaitility.Awaitility.await("root can log in").atMost(Duration.ofSeconds(30))
          .until(() -> Run.aion(Map.of(), "", concat(globals, "login", "--user", "root", "--password-file", pw.toString()))
              .exit() == 0);
      Run login = Run.aion(Map.of(), "root-secret-pw\n", concat(globals, "login", "--user", "root"));
      assertThat(login.exit()).as(login.toString()).isZero();
      String token = login.out().strip();
      assertThat(token).startsWith("v1.");

      Run anonymous = Run.aion(Map.of(), "", concat(globals, "ns", "create", "demo"));
      assertThat(anonymous.exit()).as(anonymous.toString()).isEqualTo(ExitCode.ERROR);
      assertThat(anonymous.err()).contains("(UNAUTHENTICATED)").contains("aion login");
      Run created = Run.aion(Map.of(), "", concat(globals, "--token", token, "ns", "create", "demo"));
      assertThat(created.exit()).as(created.toString()).isZero();
      Run put = Run.aion(Map.of("AION_TOKEN", token), "", concat(globals, "put", "demo", "greeting", "hello"));
      assertThat(put.exit()).as(put.toString()).isZero();
      Run get = Run.aion(Map.of("AION_TOKEN", token), "", concat(globals, "get", "demo", "greeting"));
      assertThat(get.out()).contains("hello");
      Run members = Run.aion(Map.of("AION_TOKEN", token), "", concat(globals, "cluster", "members"));
      assertThat(members.exit()).as("an HTTP command with the token: %s", members).isZero();

      Run wrong = Run.aion(Map.of(), "not-the-password\n", concat(globals, "login", "--user", "root"));
      assertThat(wrong.exit()).isEqualTo(ExitCode.ERROR);
      assertThat(wrong.err()).contains("UNAUTHENTICATED");
      Run badToken = Run.aion(Map.of("AION_TOKEN", "bad token with spaces"), "", concat(globals, "get", "demo", "x"));
      assertThat(badToken.exit()).isEqualTo(ExitCode.USAGE);

      tokenSavedInAContext(server, token);
    } finally {
      server.close();
    }
  }

  /**
   * {@code login --save} keeps the token in the chosen context of the config file, and commands given no --token use
   * it from there; a context without a token is refused, and a flag or variable still wins over the context.
   */
  private void tokenSavedInAContext(AionServer server, String printedToken) throws Exception {
    Path config = dir.resolve("home/.aion/config");
    Map<String, String> env = Map.of("AION_CONFIG", config.toString());
    ok(Run.aion(env, "", "config", "set-context", "local", "--endpoints=127.0.0.1:" + server.protocolPort(),
        "--http=" + server.url()));
    ok(Run.aion(env, "", "config", "set-context", "anonymous", "--endpoints=127.0.0.1:" + server.protocolPort(),
        "--http=" + server.url()));
    ok(Run.aion(env, "", "config", "use-context", "local"));

    Run login = ok(Run.aion(env, "root-secret-pw\n", "--timeout=5s", "login", "--user", "root", "--save"));
    String saved = CliConfig.load(config).get("local").token();
    assertThat(saved).startsWith("v1.").isNotEqualTo(printedToken);
    assertThat(login.out()).startsWith("logged in as root; the token is in context local of " + config)
        .doesNotContain(saved);
    assertThat(CliConfig.load(config).get("anonymous").token()).isNull();

    ok(Run.aion(env, "", "--timeout=5s", "put", "demo", "via", "context"));
    assertThat(ok(Run.aion(env, "", "--timeout=5s", "get", "demo", "via")).out()).isEqualTo("context\n");
    ok(Run.aion(env, "", "--timeout=5s", "index", "list", "demo")); // the HTTP API too
    for (String[] show : new String[][] {{"config", "view"}, {"config", "view", "-o", "json"}, {"config", "get-contexts"},
        {"-o", "json", "config", "get-contexts"}}) {
      assertThat(ok(Run.aion(env, "", show)).out()).doesNotContain(saved);
    }

    ok(Run.aion(env, "", "config", "use-context", "anonymous"));
    Run refused = Run.aion(env, "", "--timeout=5s", "get", "demo", "via");
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(ExitCode.ERROR);
    assertThat(refused.err()).contains("(UNAUTHENTICATED)").contains("--save");
    Run adminRefused = Run.aion(env, "", "--timeout=5s", "index", "list", "demo");
    assertThat(adminRefused.exit()).as(adminRefused.toString()).isEqualTo(ExitCode.ERROR);
    assertThat(adminRefused.err()).contains("UNAUTHENTICATED");
    ok(Run.aion(env, "", "--timeout=5s", "--context", "local", "get", "demo", "via"));
    ok(Run.aion(Map.of("AION_CONFIG", config.toString(), "AION_CONTEXT", "local"), "", "--timeout=5s", "get", "demo", "via"));
    ok(Run.aion(env, "", "--timeout=5s", "--token", saved, "get", "demo", "via"));

    Map<String, String> badEnv = Map.of("AION_CONFIG", config.toString(), "AION_TOKEN", "v1.not-a-real-token");
    Run envWins = Run.aion(badEnv, "", "--timeout=5s", "--context", "local", "get", "demo", "via");
    assertThat(envWins.exit()).as("$AION_TOKEN before the context's: %s", envWins).isEqualTo(ExitCode.ERROR);
    assertThat(envWins.err()).contains("UNAUTHENTICATED");

    Run json = ok(Run.aion(env, "root-secret-pw\n", "--timeout=5s", "-o", "json", "login", "--user", "root", "--save"));
    JsonNode answer = Output.JSON.readTree(json.out());
    assertThat(answer.has("token")).isFalse();
    assertThat(answer.path("context").asText()).isEqualTo("anonymous");
    assertThat(answer.path("expiresAt").asText()).isNotEmpty();
    assertThat(ok(Run.aion(env, "", "--timeout=5s", "get", "demo", "via")).out()).isEqualTo("context\n");
  }

  private static Run ok(Run r) {
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).as(r.toString()).isEmpty();
    return r;
  }

  private static String[] concat(List<String> globals, String... args) {
    List<String> all = new ArrayList<>(globals);
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }
}
