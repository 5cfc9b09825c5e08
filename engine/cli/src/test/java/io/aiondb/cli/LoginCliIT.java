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

/** {@code aion login} and {@code --token} / {@code $AION_TOKEN} against a node with auth.enabled (docs/security.md). */
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
    } finally {
      server.close();
    }
  }

  private static String[] concat(List<String> globals, String... args) {
    List<String> all = new ArrayList<>(globals);
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }
}
