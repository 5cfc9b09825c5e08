package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.client.AionClient;
import io.aiondb.server.security.KeyFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest on a real 3-process cluster (docs/security.md "Encryption at rest"): no value in any member's
 * RocksDB files, Raft log or snapshots; a follower far behind catches up by snapshot (the leader's key ring travels
 * with it); a member's data key rotation re-encrypts and retires the old keys; a member started without the key, or
 * with another one, stops and says why.
 */
class EncryptionClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String MARKER = "PLAINTEXT-MARKER-91d2";

  @TempDir
  Path dir;

  private static void await(String what, java.util.concurrent.Callable<Boolean> cond) {
    Awaitility.await(what).atMost(WAIT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(cond);
  }

  /** Files under {@code root} (RocksDB, Raft log segments, snapshots) that contain the marker. */
  static List<Path> filesWithMarker(Path root) throws Exception {
    return io.aiondb.server.storage.MarkerScan.filesContaining(root, MARKER);
  }

  @Test
  void noMemberStoresAValueInClearAndSnapshotsAndRotationWork() throws Exception {
    Path key = Files.writeString(dir.resolve("aion.key"), HexFormat.of().formatHex(new byte[32]).replace('0', '7'));
    String kekId = KeyFiles.id(KeyFiles.read(key, "key"));
    Path otherKey = Files.writeString(dir.resolve("other.key"), HexFormat.of().formatHex(new byte[32]).replace('0', '5'));
    Map<Integer, Map<String, String>> env = new java.util.HashMap<>();
    for (int i = 1; i <= 3; i++) env.put(i, Map.of("AION_ENCRYPTION_KEY_FILE", key.toString()));
    try (LocalCluster cl = new LocalCluster(dir.resolve("nodes"), 3, env, "--raft.snapshot-interval=100",
        "--raft.segment-size=256KiB").label("encryption")) {
      int leader = cl.leaderIndex(WAIT);
      int lagging = leader % 3 + 1;
      String pad = "x".repeat(512);
      long last;
      try (AionClient c = AionClient.connect(cl.url(leader))) {
        c.createNamespace("s");
        cl.stop(lagging);
        last = 0;
        for (int i = 0; i < 1200; i++) last = c.put("s", "k" + i, MARKER + "-" + i + pad).revision();
      }
      long lastRevision = last;
      cl.start(lagging); // the log it misses was purged: it gets the leader's database, and its key ring, by snapshot
      await("the restarted follower to reach revision " + lastRevision,
          () -> cl.get(lagging, "/v1/status").path("revision").asLong() >= lastRevision);
      try (AionClient f = AionClient.connect(cl.url(lagging))) {
        for (int i = 0; i < 1200; i += 97) {
          assertThat(f.get("s", ("k" + i).getBytes(), 0)).map(kv -> kv.text()).contains(MARKER + "-" + i + pad);
        }
      }
      assertThat(Files.readString(cl.log(lagging))).as("the follower installed a snapshot").contains("installing snapshot");

      // every read path opens what it reads: history, a query, a watch catching up (change feed), a live watch
      try (AionClient c = AionClient.connect(cl.url(leader))) {
        assertThat(c.history("s", "k3".getBytes(), 10, 0).toString()).contains(MARKER + "-3");
        assertThat(c.query("s", "{\"prefix\":\"k11\",\"limit\":5}").toString()).contains(MARKER + "-11");
      }
      try (io.aiondb.client.Aion aion = io.aiondb.client.Aion.builder().seeds(cl.protocolSeeds())
          .addressMapper(LocalCluster::mapAddress).connect()) {
        java.util.concurrent.CopyOnWriteArrayList<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.aiondb.client.WatchListener listener = (rev, events) -> {
          for (var e : events) if (!e.deleted()) seen.add(new String(e.value().value(), StandardCharsets.UTF_8));
        };
        try (var fromStart = aion.watch("s", "k7".getBytes(), false, 1, listener);
            var live = aion.watch("s", "live".getBytes(), false, 0, listener)) {
          await("the catching-up watch", () -> seen.contains(MARKER + "-7" + pad));
          aion.put("s", "live", MARKER + "-live");
          await("the live watch", () -> seen.contains(MARKER + "-live"));
        }
      }

      JsonNode status = cl.get(leader, "/v1/encryption");
      assertThat(status.path("enabled").asBoolean()).isTrue();
      assertThat(status.path("kek").asText()).isEqualTo(kekId);
      JsonNode rotated = Http.post(cl.url(leader) + "/v1/encryption/rotate", "");
      String active = rotated.path("activeKey").asText();
      await("the re-encryption pass", () -> cl.get(leader, "/v1/encryption").path("lastPass").path("complete").asBoolean());
      JsonNode after = cl.get(leader, "/v1/encryption");
      assertThat(after.path("activeKey").asText()).isEqualTo(active);
      assertThat(after.path("dataKeys")).as("older keys retired").hasSize(1);
      assertThat(after.path("lastPass").path("reencrypted").asLong()).isGreaterThanOrEqualTo(2400); // current + history
      assertThat(after.path("lastPass").path("retiredKeys").size()).isGreaterThanOrEqualTo(1);
      try (AionClient c = AionClient.connect(cl.url(leader))) {
        assertThat(c.get("s", "k1111".getBytes(), 0)).map(kv -> kv.text()).contains(MARKER + "-1111" + pad);
      }

      for (int i = 1; i <= 3; i++) cl.stop(i);
      for (int i = 1; i <= 3; i++) {
        assertThat(filesWithMarker(cl.dataDir(i))).as("files of n" + i + " holding a value in clear").isEmpty();
      }
      assertThat(filesWithMarker(dir.resolve("nodes"))).isEmpty();

      // without the key, or with another one, a member stops at start and says why
      cl.env(1, Map.of());
      cl.start(1);
      await("n1 to stop without its key", () -> !cl.alive(1));
      assertThat(Files.readString(cl.log(1))).contains("is encrypted at rest").contains(kekId);
      cl.env(1, Map.of("AION_ENCRYPTION_KEY_FILE", otherKey.toString()));
      cl.start(1);
      await("n1 to stop with another key", () -> !cl.alive(1));
      assertThat(Files.readString(cl.log(1))).contains("is wrapped by " + kekId);
    }
  }
}
