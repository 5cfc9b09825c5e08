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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aion encryption status|rotate} against real servers, one encrypting at rest and one not. */
class EncryptionCliIT {
  @TempDir Path dir;

  private AionServer start(String name, String... extra) {
    List<String> args = new ArrayList<>(List.of("--http.port=0", "--raft.port=0", "--protocol.port=0",
        "--data.dir=" + dir.resolve(name), "--storage.sync=false", "--shutdown.grace=2s"));
    args.addAll(List.of(extra));
    return AionServer.start(ConfigLoader.load(args.toArray(String[]::new), Map.of(), null));
  }

  private static Run aion(AionServer s, String... args) {
    List<String> all = new ArrayList<>(List.of("--http=" + s.url(), "--endpoints=127.0.0.1:" + s.protocolPort(),
        "--timeout=10s"));
    all.addAll(List.of(args));
    return Run.aion(Map.of(), "", all.toArray(String[]::new));
  }

  @Test
  void statusShowsTheKeysAndRotateReencrypts() throws Exception {
    Path key = Files.writeString(dir.resolve("aion.key"), "0123456789abcdef".repeat(4));
    try (AionServer s = start("enc", "--encryption.key-file=" + key)) {
      Run status = aion(s, "encryption", "status");
      assertThat(status.exit()).as(status.toString()).isZero();
      assertThat(status.out()).contains("enabled: true", "kek: kek-", "rotation due: false").contains("ACTIVE");
      assertThat(aion(s, "ns", "create", "t").exit()).isZero();
      for (int i = 0; i < 5; i++) assertThat(aion(s, "put", "t", "k" + i, "v" + i).exit()).isZero();
      String before = s.node().store().atRest().activeKey().name();
      Run rotated = aion(s, "encryption", "rotate");
      assertThat(rotated.exit()).as(rotated.toString()).isZero();
      assertThat(rotated.out()).contains("is active on").doesNotContain(before);
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> aion(s, "encryption", "status").out().contains("complete"));
      Run after = aion(s, "-o", "json", "encryption", "status");
      assertThat(after.out()).contains("\"reencrypted\":10,", // 5 current versions and their 5 history entries
          "\"retiredKeys\":[\"" + before + "\"]");
    }
    try (AionServer s = start("plain")) {
      assertThat(aion(s, "encryption", "status").out()).contains("enabled: false");
      Run refused = aion(s, "encryption", "rotate");
      assertThat(refused.exit()).isEqualTo(ExitCode.ERROR);
      assertThat(refused.err()).contains("encryption at rest is off");
    }
  }
}
