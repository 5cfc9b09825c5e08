package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.client.AionClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paging through a namespace while other clients insert, update and delete: every page comes from the revision of
 * the first page, so the pages together are exactly the keyspace at that revision — nothing skipped, nothing twice.
 */
class PaginationIT {
  @Test
  void pagesAreAConsistentSnapshotUnderConcurrentWrites(@TempDir Path dir) throws Exception {
    try (TestServer s = new TestServer(dir.resolve("data"))) {
      AionClient c = s.client;
      c.createNamespace("p");
      for (int i = 0; i < 400; i++) c.put("p", String.format("k%04d", i * 2), "v0");
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong writes = new AtomicLong();
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        long seed = 100 + t;
        writers.add(Thread.ofPlatform().start(() -> {
          Random r = new Random(seed);
          while (!stop.get()) {
            String k = String.format("k%04d", r.nextInt(800));
            if (r.nextInt(3) == 0) c.delete("p", k);
            else c.put("p", k, "v" + r.nextInt(1000));
            writes.incrementAndGet();
          }
        }));
      }
      ObjectMapper m = new ObjectMapper();
      for (int round = 0; round < 5; round++) {
        ObjectNode q = m.createObjectNode().put("limit", 37).put("reverse", round % 2 == 1);
        JsonNode first = c.query("p", q);
        long revision = first.path("revision").asLong();
        List<JsonNode> items = new ArrayList<>();
        first.path("items").forEach(items::add);
        String cursor = first.path("cursor").asText(null);
        while (cursor != null) {
          long before = writes.get(); // let writers move the keyspace on between pages
          org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> writes.get() > before);
          JsonNode page = c.query("p", q.deepCopy().put("cursor", cursor));
          assertThat(page.path("revision").asLong()).isEqualTo(revision);
          page.path("items").forEach(items::add);
          cursor = page.path("cursor").isNull() ? null : page.path("cursor").asText();
        }
        // the truth at that revision: read each key's version at the revision
        Map<String, String> seen = new HashMap<>();
        String prev = null;
        for (JsonNode it : items) {
          String k = it.path("key").asText();
          assertThat(seen.put(k, it.path("value").asText())).as("key %s repeated", k).isNull();
          if (prev != null) assertThat(round % 2 == 1 ? prev.compareTo(k) > 0 : prev.compareTo(k) < 0).isTrue();
          prev = k;
          assertThat(it.path("revision").asLong()).isLessThanOrEqualTo(revision);
        }
        for (int i = 0; i < 800; i++) {
          String k = String.format("k%04d", i);
          var atRev = c.get("p", k.getBytes(), revision);
          if (atRev.isPresent()) assertThat(seen.get(k)).as("key %s at revision %d", k, revision).isEqualTo(atRev.get().text());
          else assertThat(seen).as("key %s absent at revision %d", k, revision).doesNotContainKey(k);
        }
      }
      stop.set(true);
      for (Thread w : writers) w.join();
      assertThat(writes.get()).isGreaterThan(50);
    }
  }
}
