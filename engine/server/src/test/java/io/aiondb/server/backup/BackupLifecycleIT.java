package io.aiondb.server.backup;

import static io.aiondb.server.backup.BackupIT.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.server.it.TestServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * What happens to backups over time, in process against a real S3 API: retention and garbage collection (expired
 * manifests go first, then every object no surviving manifest names, but only once it is older than the grace period;
 * time is moved by giving a second {@link Backups} on the same store a clock two days ahead, so nothing waits), and a
 * backup interrupted half-way.
 */
class BackupLifecycleIT {
  @TempDir
  static Path tmp;
  static S3Server s3;

  @BeforeAll
  static void startStore() throws Exception {
    s3 = new S3Server(tmp.resolve("s3"));
    // the in-process S3 clients below take credentials from the SDK's default chain, as the server does
    System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
  }

  @AfterAll
  static void stopStore() throws Exception {
    if (s3 != null) s3.close();
  }

  @Test
  void pruneExpiresOldBackupsThenSweepsOnlyUnreferencedObjectsPastTheGracePeriod() throws Exception {
    try (TestServer n = new TestServer(tmp.resolve("n"), s3.flags("gc"))) {
      send("PUT", n.url + "/v1/namespaces/gc", null, 201);
      String b1 = backup(n, 0);
      // rewrite everything and compact: the first backup's SST files are then named by no later backup
      n.server.node().store().flushAndCompact();
      write(n, 1);
      n.server.node().store().flushAndCompact();
      String b2 = backup(n, 1);
      String b3 = backup(n, 2);
      BackupTarget target = new BackupTarget(s3.url(), S3Server.BUCKET, "gc", "us-east-1", true);
      try (Backups now = backups(target, Clock.systemUTC());
           Backups later = backups(target, Clock.offset(Clock.systemUTC(), Duration.ofDays(2)))) {
        Set<String> onlyB1 = objects(now.manifest(b1));
        onlyB1.removeAll(objects(now.manifest(b3)));
        assertThat(onlyB1).as("the first backup has objects the last one does not name").isNotEmpty();
        String orphan = "objects/" + "0".repeat(64); // what an interrupted backup leaves: an object, no manifest
        s3.client().putObject(r -> r.bucket(S3Server.BUCKET).key("gc/" + orphan), RequestBody.fromString("partial"));

        // today: keep the last one; expired manifests go, but every object is younger than the grace period
        Operation today = await(now.prune(1, null, 1, Duration.ofHours(24)));
        assertThat(today.state()).as(String.valueOf(today.error())).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(today.result().get("expired")).isEqualTo(List.of(b2, b1));
        assertThat(today.result().get("objectsDeleted")).isEqualTo(0L);
        assertThat((Long) today.result().get("unreferencedWithinGrace")).isGreaterThan(onlyB1.size());
        assertThat(keys("objects/")).contains(orphan).containsAll(onlyB1);
        assertThat(now.list()).extracting(Manifest::id).containsExactly(b3);

        // two days later: the same objects are past the grace period and go; what b3 names stays
        Operation after = await(later.prune(1, null, 1, Duration.ofHours(24)));
        assertThat(after.state()).as(String.valueOf(after.error())).isEqualTo(Operation.State.SUCCEEDED);
        assertThat((Long) after.result().get("objectsDeleted")).isGreaterThan(onlyB1.size());
        assertThat(keys("objects/")).doesNotContain(orphan).doesNotContainAnyElementsOf(onlyB1)
            .containsAll(objects(now.manifest(b3)));
        Set<String> left = new HashSet<>(keys("objects/"));
        left.removeAll(objects(now.manifest(b3)));
        assertThat(left).as("objects nobody names").isEmpty();

        // maxAge with minKeep: the last backup is older than a minute "later", and kept all the same
        Operation aged = await(later.prune(0, Duration.ofMinutes(1), 1, Duration.ofHours(24)));
        assertThat(aged.state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(aged.result().get("expired")).isEqualTo(List.of());
        Operation deep = await(now.verify(b3, true));
        assertThat(deep.state()).as(String.valueOf(deep.error())).isEqualTo(Operation.State.SUCCEEDED);
      }
    }
  }

  /**
   * A backup whose upload fails half-way (the store refuses the fourth object, as a network failure or a kill would
   * leave it) leaves objects but no manifest: it does not exist. The rerun finds the objects already there and uploads
   * only the rest.
   */
  @Test
  void anInterruptedBackupLeavesNoManifestAndARerunReusesWhatWentUp() throws Exception {
    try (TestServer n = new TestServer(tmp.resolve("i"))) {
      send("PUT", n.url + "/v1/namespaces/gc", null, 201);
      write(n, 0);
      n.server.node().store().flushAndCompact();
      write(n, 1);
      BackupTarget target = new BackupTarget(s3.url(), S3Server.BUCKET, "interrupted", "us-east-1", true);
      Backups.GroupSource source = source(n);
      java.util.concurrent.atomic.AtomicInteger puts = new java.util.concurrent.atomic.AtomicInteger();
      ObjectStore real = new S3ObjectStore(target);
      ObjectStore failing = new Forwarding(real) {
        @Override
        public void put(String key, java.io.InputStream in, long length) throws java.io.IOException {
          if (key.startsWith("objects/") && puts.incrementAndGet() == 4) {
            throw new java.io.IOException("connection reset (injected)");
          }
          super.put(key, in, length);
        }
      };
      Path work = tmp.resolve("i-work");
      // one transfer at a time: exactly the three objects before the failing one went up
      try (Backups first = new Backups(failing, null, source, "gc", "test", "test", work, Clock.systemUTC(), 1)) {
        Operation op = await(first.create());
        assertThat(op.state()).isEqualTo(Operation.State.FAILED);
        assertThat(op.error()).contains("connection reset");
        assertThat(first.list()).isEmpty();
        assertThat(keys("backups/", "interrupted/")).isEmpty();
        assertThat(keys("objects/", "interrupted/")).hasSize(3);
        assertThat(work.resolve(op.backupId())).as("its checkpoint is removed").doesNotExist();
        assertThat(keys("locks/", "interrupted/")).as("its lock is released").isEmpty();
      }
      try (Backups again = new Backups(new S3ObjectStore(target), null, source, "gc", "test", "test", work, Clock.systemUTC())) {
        Operation op = await(again.create());
        assertThat(op.state()).as(String.valueOf(op.error())).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(op.progress().filesReused()).isEqualTo(3);
        assertThat(again.list()).extracting(Manifest::id).containsExactly(op.backupId());
        assertThat(await(again.verify(op.backupId(), true)).state()).isEqualTo(Operation.State.SUCCEEDED);
      }
    }
  }

  /**
   * A backup and a prune never run at once on one store, whichever nodes run them: each writes a lock object and then
   * looks for the other kind. A lock not refreshed for 30 minutes (its node died) is ignored, and a prune removes it.
   */
  @Test
  void backupsAndPrunesExcludeEachOtherThroughLocksInTheStore() throws Exception {
    try (TestServer n = new TestServer(tmp.resolve("l"))) {
      send("PUT", n.url + "/v1/namespaces/gc", null, 201);
      write(n, 0);
      BackupTarget target = new BackupTarget(s3.url(), S3Server.BUCKET, "locks", "us-east-1", true);
      Backups.GroupSource source = source(n);
      java.util.concurrent.CountDownLatch uploading = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      ObjectStore slow = pausing(new S3ObjectStore(target), key -> key.startsWith("objects/"), uploading, release);
      try (Backups nodeA = new Backups(slow, null, source, "gc", "a", "test", tmp.resolve("l-a"), Clock.systemUTC());
           Backups nodeB = new Backups(new S3ObjectStore(target), null, source, "gc", "b", "test", tmp.resolve("l-b"),
               Clock.systemUTC());
           Backups dayLater = new Backups(new S3ObjectStore(target), null, source, "gc", "c", "test", tmp.resolve("l-c"),
               Clock.offset(Clock.systemUTC(), Duration.ofDays(1)))) {
        Operation backup = nodeA.create();
        assertThat(uploading.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Operation prune = await(nodeB.prune(1, null, 1, Duration.ofHours(24)));
        assertThat(prune.state()).isEqualTo(Operation.State.FAILED);
        assertThat(prune.error()).contains("a backup (backup-" + backup.id() + ") is running");
        release.countDown();
        assertThat(await(backup).state()).as(String.valueOf(backup.error())).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(await(nodeB.prune(1, null, 1, Duration.ofHours(24))).state()).isEqualTo(Operation.State.SUCCEEDED);

        // a prune lock left by a node that is still pruning (fresh), then by one that died (stale a day later)
        s3.client().putObject(r -> r.bucket(S3Server.BUCKET).key("locks/locks/prune-op-dead.json"), RequestBody.fromString("{}"));
        Operation refused = await(nodeB.create());
        assertThat(refused.state()).isEqualTo(Operation.State.FAILED);
        assertThat(refused.error()).contains("a prune (prune-op-dead) is running");
        assertThat(keys("backups/", "locks/")).hasSize(1);
        Operation later = await(dayLater.create());
        assertThat(later.state()).as(String.valueOf(later.error())).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(await(dayLater.prune(5, null, 1, Duration.ofHours(24))).state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(keys("locks/", "locks/")).as("the stale lock is removed, and no lock is left").isEmpty();
      }
    }
  }

  /**
   * A node's stores (the default and its named ones) share one running operation: a backup to one store refuses to
   * start (BACKUP_BUSY) while another store's backup runs on the node, and starts once it ended.
   */
  @Test
  void aNodeRunsOneOperationAcrossItsStores() throws Exception {
    try (TestServer n = new TestServer(tmp.resolve("stores"))) {
      send("PUT", n.url + "/v1/namespaces/gc", null, 201);
      write(n, 0);
      java.util.concurrent.CountDownLatch uploading = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      ObjectStore slow = pausing(new S3ObjectStore(new BackupTarget(s3.url(), S3Server.BUCKET, "stores-a", "us-east-1",
          true)), key -> true, uploading, release);
      var lock = new java.util.concurrent.atomic.AtomicReference<Operation>();
      try (Backups dflt = new Backups(slow, null, source(n), "gc", "a", "test", tmp.resolve("s-a"), Clock.systemUTC(), 1, lock);
           Backups named = new Backups(new S3ObjectStore(new BackupTarget(s3.url(), S3Server.BUCKET, "stores-b",
               "us-east-1", true)), null, source(n), "gc", "a", "test", tmp.resolve("s-b"), Clock.systemUTC(), 1, lock)) {
        Operation first = dflt.create();
        assertThat(uploading.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(named::create).isInstanceOf(io.aiondb.server.AionException.class)
            .hasMessageContaining("backup operation " + first.id());
        release.countDown();
        assertThat(await(first).state()).isEqualTo(Operation.State.SUCCEEDED);
        assertThat(await(named.create()).state()).isEqualTo(Operation.State.SUCCEEDED);
      }
    }
  }

  /** The test server's one group, as the node's own source gives it. */
  private static Backups.GroupSource source(TestServer n) {
    return dir -> {
      java.nio.file.Files.createDirectories(dir);
      n.server.node().store().checkpoint(dir.resolve("g"));
      return List.of(new Backups.GroupCopy("g", "", "", dir.resolve("g")));
    };
  }

  /** {@code real}, whose puts of keys {@code which} accepts say so on {@code uploading} and wait for {@code release}. */
  private static ObjectStore pausing(ObjectStore real, java.util.function.Predicate<String> which,
      java.util.concurrent.CountDownLatch uploading, java.util.concurrent.CountDownLatch release) {
    return new Forwarding(real) {
      @Override
      public void put(String key, java.io.InputStream in, long length) throws java.io.IOException {
        if (which.test(key)) {
          uploading.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            throw new java.io.InterruptedIOException();
          }
        }
        super.put(key, in, length);
      }
    };
  }

  /** A real store with calls to override: where a test injects a failure or a pause. */
  private static class Forwarding implements ObjectStore {
    private final ObjectStore real;

    Forwarding(ObjectStore real) {
      this.real = real;
    }

    @Override public java.util.Optional<Long> size(String key) throws java.io.IOException { return real.size(key); }
    @Override public void put(String key, java.io.InputStream in, long length) throws java.io.IOException { real.put(key, in, length); }
    @Override public java.io.InputStream get(String key) throws java.io.IOException { return real.get(key); }
    @Override public List<Entry> list(String prefix) throws java.io.IOException { return real.list(prefix); }
    @Override public void delete(String key) throws java.io.IOException { real.delete(key); }
    @Override public String describe() { return real.describe(); }
    @Override public void close() { real.close(); }
  }

  private static Backups backups(BackupTarget target, Clock clock) {
    return new Backups(new S3ObjectStore(target), null, dir -> {
      throw new java.io.IOException("this instance only prunes and verifies");
    }, "gc", "test", "test", tmp.resolve("work-" + clock.hashCode()), clock);
  }

  private static void write(TestServer n, int round) throws Exception {
    StringBuilder sb = new StringBuilder("{\"items\":[");
    for (int i = 0; i < 400; i++) {
      if (i > 0) sb.append(',');
      sb.append("{\"key\":\"k").append(i).append("\",\"text\":\"round ").append(round).append(" of key ").append(i).append("\"}");
    }
    send("PUT", n.url + "/v1/ns/gc/keys", sb.append("]}").toString(), 200);
  }

  private static String backup(TestServer n, int round) throws Exception {
    write(n, round);
    JsonNode op = send("POST", n.url + "/v1/backups", null, 202);
    Operation done = await(n.server.node().backups().operation(op.path("id").asText()).orElseThrow());
    assertThat(done.state()).as(String.valueOf(done.error())).isEqualTo(Operation.State.SUCCEEDED);
    return done.backupId();
  }

  private static Operation await(Operation op) {
    Awaitility.await("operation " + op.id()).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> op.state() != Operation.State.RUNNING);
    return op;
  }

  private static Set<String> objects(Manifest m) {
    return m.groups().stream().flatMap(g -> g.files().stream()).map(Manifest.FileRef::object).collect(Collectors.toSet());
  }

  private static List<String> keys(String prefix) {
    return keys(prefix, "gc/");
  }

  private static List<String> keys(String prefix, String root) {
    return s3.client().listObjectsV2Paginator(r -> r.bucket(S3Server.BUCKET).prefix(root + prefix)).contents().stream()
        .map(o -> o.key().substring(root.length())).toList();
  }
}
