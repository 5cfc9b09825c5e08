package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bulk load writes few, large entries: raft.snapshot-interval (entries) is not reached, so raft.snapshot-log-size
 * (bytes) must take the snapshot that lets the log be purged, or the log grows as large as the data.
 */
class SnapshotByLogSizeIT {
  @Test
  void largeBatchEntriesTriggerSnapshotsThatKeepTheLogSmall(@TempDir Path dir) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try (TestServer s = new TestServer(dir.resolve("data"), "--raft.snapshot-log-size=4MiB", "--raft.segment-size=1MiB",
        "--raft.snapshot-interval=20000")) {
      http.send(HttpRequest.newBuilder(URI.create(s.url + "/v1/namespaces/bulk")).PUT(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding());
      String pad = "x".repeat(1000);
      for (int b = 0; b < 40; b++) { // 40 entries of ~1 MB: far below 20,000 entries, 10 times the byte threshold
        StringBuilder body = new StringBuilder("{\"items\":[");
        for (int i = 0; i < 1000; i++) {
          if (i > 0) body.append(',');
          body.append("{\"key\":\"k").append(b).append('-').append(i).append("\",\"text\":\"").append(pad).append("\"}");
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.url + "/v1/ns/bulk/keys"))
            .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body.append("]}").toString()))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
      Path raft = dir.resolve("data").resolve("raft");
      Awaitility.await("a snapshot by size, and the log purged behind it").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> logBytes(raft) < 12L << 20 && snapshots(raft) > 0);
      assertThat(s.server.node().store().appliedIndex()).isGreaterThan(40);
    }
  }

  private static long logBytes(Path raft) throws Exception {
    try (var files = Files.walk(raft)) {
      return files.filter(f -> f.getFileName().toString().startsWith("log_")).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static long snapshots(Path raft) throws Exception {
    try (var files = Files.walk(raft)) {
      return files.filter(Files::isDirectory).filter(f -> f.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).count();
    }
  }
}
