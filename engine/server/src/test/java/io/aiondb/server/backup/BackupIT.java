package io.aiondb.server.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.it.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Backups end to end, as a user meets them: the packaged server backing up to a real S3 API (s3proxy), then
 * {@code aion-server restore} building a new node from a backup, and a server on it serving the data as it was.
 */
class BackupIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path tmp;
  static S3Server s3;

  @BeforeAll
  static void startStore() throws Exception {
    s3 = new S3Server(tmp.resolve("s3"));
  }

  @AfterAll
  static void stopStore() throws Exception {
    if (s3 != null) s3.close();
  }

  @Test
  void backupsAreIncrementalVerifiedAndRestoreIntoANewClusterThatContinuesTheRevisions() throws Exception {
    String b1;
    String b2;
    long b1Revision;
    try (ServerProcess n = new ServerProcess(tmp.resolve("n1"), S3Server.env(), flags("prod")).awaitReady(Duration.ofSeconds(60))) {
      String url = n.url();
      send("PUT", url + "/v1/namespaces/shop", null, 201);
      send("PUT", url + "/v1/namespaces/shop/indexes/by-price", "{\"field\":\"$.price\",\"type\":\"number\"}", 201);
      putBatch(url, 0, 300);
      send("PUT", url + "/v1/ns/shop/keys/item-0", "{\"price\":1000,\"v\":2}", 200);
      b1Revision = send("PUT", url + "/v1/ns/shop/keys/item-0", "{\"price\":1001,\"v\":3}", 200).path("revision").asLong();

      JsonNode op1 = awaitDone(url, send("POST", url + "/v1/backups", null, 202));
      assertThat(op1.path("state").asText()).as(op1.toString()).isEqualTo("succeeded");
      b1 = op1.path("backup").asText();
      assertThat(op1.path("result").path("keyCount").asLong()).isEqualTo(300);
      assertThat(op1.path("result").path("revision").asLong()).isEqualTo(b1Revision);
      assertThat(op1.path("progress").path("filesReused").asLong()).isZero();

      // more writes after the first backup: none of them may appear in a restore of it
      putBatch(url, 300, 500);
      send("PUT", url + "/v1/ns/shop/keys/item-0", "{\"price\":5,\"v\":4}", 200);
      JsonNode op2 = awaitDone(url, send("POST", url + "/v1/backups", null, 202));
      assertThat(op2.path("state").asText()).as(op2.toString()).isEqualTo("succeeded");
      b2 = op2.path("backup").asText();
      assertThat(op2.path("result").path("keyCount").asLong()).isEqualTo(500);
      // incremental by content: the first backup's SST files are immutable and already stored
      assertThat(op2.path("progress").path("filesReused").asLong()).as(op2.toString()).isPositive();
      assertThat(op2.path("progress").path("bytesReused").asLong()).isPositive();

      JsonNode list = send("GET", url + "/v1/backups", null, 200);
      assertThat(list.path("backups")).hasSize(2);
      assertThat(list.path("backups").get(0).path("id").asText()).isEqualTo(b1);
      assertThat(list.path("target").asText()).contains(S3Server.BUCKET).doesNotContain(S3Server.SECRET_KEY);
      JsonNode d2 = send("GET", url + "/v1/backups/" + b2, null, 200);
      assertThat(d2.path("parent").asText()).isEqualTo(b1);
      assertThat(d2.path("manifest").path("groups").get(0).path("revision").asLong()).isGreaterThan(b1Revision);
      String manifest = new String(s3.client().getObjectAsBytes(r -> r.bucket(S3Server.BUCKET)
          .key("prod/backups/" + b2 + "/manifest.json")).asByteArray());
      assertThat(manifest).contains("\"format\" : 1").doesNotContain(S3Server.SECRET_KEY).doesNotContain(S3Server.ACCESS_KEY);

      JsonNode light = awaitDone(url, send("POST", url + "/v1/backups/" + b2 + "/verify", null, 202));
      assertThat(light.path("state").asText()).as(light.toString()).isEqualTo("succeeded");
      JsonNode deep = awaitDone(url, send("POST", url + "/v1/backups/" + b1 + "/verify", "{\"level\":\"deep\"}", 202));
      assertThat(deep.path("state").asText()).as(deep.toString()).isEqualTo("succeeded");

      // what /metrics says of it: two backups, the last one incremental, taken just now; one light verification
      String metrics = get(url + "/metrics").body();
      assertThat(metric(metrics, "aion_backup_operations_total{kind=\"create\",outcome=\"succeeded\"}")).isEqualTo(2);
      assertThat(metric(metrics, "aion_backup_operations_total{kind=\"verify-light\",outcome=\"succeeded\"}")).isEqualTo(1);
      assertThat(metric(metrics, "aion_backup_operations_total{kind=\"create\",outcome=\"failed\"}")).isZero();
      assertThat(metric(metrics, "aion_backup_last_success_timestamp_seconds"))
          .isBetween(System.currentTimeMillis() / 1000.0 - 120, System.currentTimeMillis() / 1000.0 + 1);
      assertThat(metric(metrics, "aion_backup_last_uploaded_bytes")).isPositive()
          .isLessThan(metric(metrics, "aion_backup_last_size_bytes"));
      assertThat(metric(metrics, "aion_backup_last_size_bytes"))
          .isEqualTo(send("GET", url + "/v1/backups/" + b2, null, 200).path("bytes").asDouble());

      // bad input answers clearly and changes nothing
      assertThat(send("GET", url + "/v1/backups/not-an-id", null, 400).path("code").asText()).isEqualTo("BAD_REQUEST");
      assertThat(send("GET", url + "/v1/backups/20000101T000000Z-00000000", null, 404).path("code").asText())
          .isEqualTo("BACKUP_NOT_FOUND");
      send("POST", url + "/v1/backups/" + b1 + "/verify", "{\"level\":\"deepest\"}", 400);
      send("POST", url + "/v1/backups/" + b1 + "/verify", "[1]", 400);
      send("POST", url + "/v1/backups", "{\"bucket\":\"elsewhere\"}", 400);
      send("POST", url + "/v1/backups/prune", "{}", 400);
      send("POST", url + "/v1/backups/prune", "{\"keepLast\":1,\"grace\":\"10s\"}", 400);
      send("POST", url + "/v1/backups/prune", "{\"keepLast\":-1}", 400);
      assertThat(send("GET", url + "/v1/backups", null, 200).path("backups")).hasSize(2);
    }

    // restore the first backup into a fresh data directory, as a new cluster
    Path restored = tmp.resolve("r1");
    Proc r = restore(restored, "--backup=" + b1);
    assertThat(r.exit).as(r.out).isZero();
    assertThat(r.out).contains("restored").contains(b1);
    Proc again = restore(restored, "--backup=" + b1);
    assertThat(again.exit).as(again.out).isEqualTo(1);
    assertThat(again.out).contains("already holds data");
    // --init (an init container before every start): a restart keeps its data, a joiner starts empty, a restore
    // killed half-way is done again from the start
    Proc restart = restore(restored, "--init", "--backup=" + b1);
    assertThat(restart.exit).as(restart.out).isZero();
    assertThat(restart.out).contains("already holds data (a restart): nothing to restore");
    Proc joiner = restore(tmp.resolve("r-join"), "--init", "--cluster.bootstrap=false", "--backup=" + b1);
    assertThat(joiner.exit).as(joiner.out).isZero();
    assertThat(joiner.out).contains("does not form the cluster");
    assertThat(tmp.resolve("r-join").resolve("db")).doesNotExist();
    Path killed = tmp.resolve("r-killed");
    Files.createDirectories(killed.resolve("db.restoring"));
    Files.writeString(killed.resolve("db.restoring").resolve("999999.sst"), "half a file");
    Proc redone = restore(killed, "--init", "--backup=" + b1);
    assertThat(redone.exit).as(redone.out).isZero();
    assertThat(redone.out).contains("left by a restore that did not finish", "restored");
    assertThat(killed.resolve("db.restoring")).doesNotExist();
    assertThat(killed.resolve("db").resolve("999999.sst")).as("the leftover is not in the database").doesNotExist();
    try (ServerProcess n = new ServerProcess(restored, S3Server.env(), "--cluster.name=prod-restored").awaitReady(Duration.ofSeconds(60))) {
      String url = n.url();
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> status(url + "/ready") == 200);
      JsonNode item0 = send("GET", url + "/v1/ns/shop/keys/item-0?consistency=linearizable", null, 200);
      assertThat(item0.path("v").asInt()).isEqualTo(3); // as it was at the first backup, not the later write
      assertThat(status(url + "/v1/ns/shop/keys/item-299")).isEqualTo(200);
      assertThat(status(url + "/v1/ns/shop/keys/item-300")).isEqualTo(404); // written after the backup
      JsonNode history = send("GET", url + "/v1/ns/shop/history/item-0", null, 200);
      assertThat(history.path("versions")).hasSize(3);
      JsonNode q = send("POST", url + "/v1/ns/shop/query", "{\"where\":[{\"field\":\"$.price\",\"op\":\"gte\",\"value\":1000}]}", 200);
      assertThat(q.path("items")).hasSize(1); // the index came back with the data
      long next = send("PUT", url + "/v1/ns/shop/keys/new", "{\"price\":1}", 200).path("revision").asLong();
      assertThat(next).isEqualTo(b1Revision + 1); // revisions continue after the backup's
    }

    // damage in the store is found and named
    try (ServerProcess n = new ServerProcess(tmp.resolve("n1"), S3Server.env(), flags("prod")).awaitReady(Duration.ofSeconds(60))) {
      String url = n.url();
      JsonNode files = send("GET", url + "/v1/backups/" + b2, null, 200).path("manifest").path("groups").get(0).path("files");
      JsonNode sst = null;
      for (JsonNode f : files) if (f.path("name").asText().endsWith(".sst") && f.path("size").asLong() > 100) sst = f;
      assertThat(sst).as(files.toString()).isNotNull();
      String key = "prod/" + sst.path("object").asText();
      byte[] original = s3.client().getObjectAsBytes(r2 -> r2.bucket(S3Server.BUCKET).key(key)).asByteArray();
      byte[] flipped = original.clone();
      flipped[flipped.length / 2] ^= 0x20;
      s3.client().putObject(r2 -> r2.bucket(S3Server.BUCKET).key(key), RequestBody.fromBytes(flipped));
      JsonNode light = awaitDone(url, send("POST", url + "/v1/backups/" + b2 + "/verify", null, 202));
      assertThat(light.path("state").asText()).as("same size: light verification cannot see it").isEqualTo("succeeded");
      JsonNode deep = awaitDone(url, send("POST", url + "/v1/backups/" + b2 + "/verify", "{\"level\":\"deep\"}", 202));
      assertThat(deep.path("state").asText()).isEqualTo("failed");
      assertThat(deep.path("error").asText()).contains(sst.path("name").asText()).contains("damaged");
      Proc bad = restore(tmp.resolve("r2"), "--backup=" + b2);
      assertThat(bad.exit).as(bad.out).isEqualTo(1);
      assertThat(bad.out).contains("damaged").contains(sst.path("name").asText());
      assertThat(tmp.resolve("r2").resolve("db")).doesNotExist();
      assertThat(tmp.resolve("r2").resolve("db.restoring")).doesNotExist();

      s3.client().deleteObject(r2 -> r2.bucket(S3Server.BUCKET).key(key));
      JsonNode missing = awaitDone(url, send("POST", url + "/v1/backups/" + b2 + "/verify", null, 202));
      assertThat(missing.path("state").asText()).isEqualTo("failed");
      assertThat(missing.path("error").asText()).contains(sst.path("name").asText()).contains("missing");

      send("DELETE", url + "/v1/backups/" + b2, null, 200);
      send("GET", url + "/v1/backups/" + b2, null, 404);
      assertThat(send("GET", url + "/v1/backups", null, 200).path("backups")).hasSize(1);
    }
  }

  @Test
  void encryptedBackupsHideTheDataAndRestoreOnlyWithTheirKey() throws Exception {
    Path key = Files.writeString(tmp.resolve("backup.key"), "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
    Path newKey = Files.writeString(tmp.resolve("backup-2.key"), java.util.Base64.getEncoder().encodeToString(new byte[32]));
    String marker = "SECRET-MARKER-7c1e";
    String b1;
    String b2;
    try (ServerProcess n = new ServerProcess(tmp.resolve("e1"), S3Server.env(), with(flags("enc"),
        "--backup.encryption-key-file=" + key)).awaitReady(Duration.ofSeconds(60))) {
      String url = n.url();
      send("PUT", url + "/v1/namespaces/shop", null, 201);
      for (int i = 0; i < 50; i++) send("PUT", url + "/v1/ns/shop/keys/s" + i, "{\"card\":\"" + marker + i + "\"}", 200);
      JsonNode op1 = awaitDone(url, send("POST", url + "/v1/backups", null, 202));
      assertThat(op1.path("state").asText()).as(op1.toString()).isEqualTo("succeeded");
      assertThat(op1.path("result").path("encrypted").asBoolean()).isTrue();
      b1 = op1.path("backup").asText();
      send("PUT", url + "/v1/ns/shop/keys/late", "{\"card\":\"late\"}", 200);
      JsonNode op2 = awaitDone(url, send("POST", url + "/v1/backups", null, 202));
      b2 = op2.path("backup").asText();
      assertThat(op2.path("progress").path("filesReused").asLong()).as("encrypted objects are shared too").isPositive();
      JsonNode m = send("GET", url + "/v1/backups/" + b2, null, 200);
      assertThat(m.path("encrypted").asBoolean()).isTrue();
      JsonNode enc = m.path("manifest").path("encryption");
      assertThat(enc.path("keyId").asText()).startsWith("kek-");
      assertThat(enc.path("dataKeys").has(b1)).as("reused objects keep the first backup's data key").isTrue();
      for (JsonNode f : m.path("manifest").path("groups").get(0).path("files")) {
        assertThat(f.has("sha256")).as("no content hash in an encrypted manifest: " + f).isFalse();
        assertThat(f.path("object").asText()).matches("objects/[0-9a-f]{64}");
      }
      assertThat(m.path("manifest").path("mac").asText()).matches("[0-9a-f]{64}");
      JsonNode deep = awaitDone(url, send("POST", url + "/v1/backups/" + b2 + "/verify", "{\"level\":\"deep\"}", 202));
      assertThat(deep.path("state").asText()).as(deep.toString()).isEqualTo("succeeded");
    }
    // nothing in the bucket shows the data or the key
    var objects = s3.client().listObjectsV2Paginator(r -> r.bucket(S3Server.BUCKET).prefix("enc/")).contents();
    assertThat(objects).hasSizeGreaterThan(3);
    for (var o : objects) {
      String body = new String(s3.client().getObjectAsBytes(r -> r.bucket(S3Server.BUCKET).key(o.key())).asByteArray(),
          java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(body).as(o.key()).doesNotContain(marker).doesNotContain("00112233445566778899aabbccddeeff");
    }

    Proc noKey = restore(tmp.resolve("e-r0"), "--backup.s3.prefix=enc", "--backup=" + b2);
    assertThat(noKey.exit).as(noKey.out).isEqualTo(1);
    assertThat(noKey.out).contains("is encrypted").contains("backup.encryption-key-file");
    Proc wrongKey = restore(tmp.resolve("e-r1"), "--backup.s3.prefix=enc", "--backup=" + b2,
        "--backup.encryption-key-file=" + newKey);
    assertThat(wrongKey.exit).as(wrongKey.out).isEqualTo(1);
    assertThat(wrongKey.out).contains("wrapped by key kek-");
    // after a rotation: the new key encrypts, the old one still restores what it encrypted
    Proc rotated = restore(tmp.resolve("e-r2"), "--backup.s3.prefix=enc", "--backup=" + b1,
        "--backup.encryption-key-file=" + newKey, "--backup.encryption-old-key-files=" + key);
    assertThat(rotated.exit).as(rotated.out).isZero();
    try (ServerProcess n = new ServerProcess(tmp.resolve("e-r2"), S3Server.env(), "--cluster.name=enc-restored")
        .awaitReady(Duration.ofSeconds(60))) {
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> status(n.url() + "/ready") == 200);
      assertThat(send("GET", n.url() + "/v1/ns/shop/keys/s7", null, 200).path("card").asText()).isEqualTo(marker + 7);
      assertThat(status(n.url() + "/v1/ns/shop/keys/late")).isEqualTo(404);
    }

    // an altered manifest is refused: here an earlier key count written into the latest manifest
    String manifestKey = "enc/backups/" + b2 + "/manifest.json";
    byte[] original = s3.client().getObjectAsBytes(r -> r.bucket(S3Server.BUCKET).key(manifestKey)).asByteArray();
    String text = new String(original, java.nio.charset.StandardCharsets.UTF_8);
    assertThat(text).contains("\"keyCount\" : 51");
    s3.client().putObject(r -> r.bucket(S3Server.BUCKET).key(manifestKey),
        RequestBody.fromString(text.replace("\"keyCount\" : 51", "\"keyCount\" : 50")));
    try (ServerProcess n = new ServerProcess(tmp.resolve("e1"), S3Server.env(), with(flags("enc"),
        "--backup.encryption-key-file=" + key)).awaitReady(Duration.ofSeconds(60))) {
      JsonNode refused = send("GET", n.url() + "/v1/backups/" + b2, null, 409);
      assertThat(refused.path("code").asText()).isEqualTo("BACKUP_DAMAGED");
      assertThat(refused.path("message").asText()).contains("fails its authentication");
    }
    s3.client().putObject(r -> r.bucket(S3Server.BUCKET).key(manifestKey), RequestBody.fromBytes(original));

    // an altered encrypted object does not decrypt, and says which it is
    try (ServerProcess n = new ServerProcess(tmp.resolve("e1"), S3Server.env(), with(flags("enc"),
        "--backup.encryption-key-file=" + key)).awaitReady(Duration.ofSeconds(60))) {
      JsonNode files = send("GET", n.url() + "/v1/backups/" + b2, null, 200).path("manifest").path("groups").get(0).path("files");
      JsonNode big = files.get(0);
      for (JsonNode f : files) if (f.path("size").asLong() > big.path("size").asLong()) big = f;
      String k = "enc/" + big.path("object").asText();
      byte[] b = s3.client().getObjectAsBytes(r -> r.bucket(S3Server.BUCKET).key(k)).asByteArray();
      b[b.length - 40] ^= 1;
      s3.client().putObject(r -> r.bucket(S3Server.BUCKET).key(k), RequestBody.fromBytes(b));
      JsonNode deep = awaitDone(n.url(), send("POST", n.url() + "/v1/backups/" + b2 + "/verify", "{\"level\":\"deep\"}", 202));
      assertThat(deep.path("state").asText()).isEqualTo("failed");
      assertThat(deep.path("error").asText()).contains(big.path("name").asText()).contains("damaged");
    }
  }

  /**
   * A node encrypting at rest backs up files that hold no value in clear (each object of an unencrypted backup is a
   * file of its data directory as is), and a node restored from it starts only with that key.
   */
  @Test
  void aBackupOfAMemberEncryptedAtRestHoldsNoValueAndRestoresOnlyWithItsKey() throws Exception {
    Path key = Files.writeString(tmp.resolve("at-rest.key"), "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100");
    String marker = "AT-REST-MARKER-4b2d";
    String id;
    try (ServerProcess n = new ServerProcess(tmp.resolve("ar1"), S3Server.env(), with(flags("atrest"),
        "--encryption.key-file=" + key)).awaitReady(Duration.ofSeconds(60))) {
      String url = n.url();
      send("PUT", url + "/v1/namespaces/shop", null, 201);
      for (int i = 0; i < 50; i++) send("PUT", url + "/v1/ns/shop/keys/s" + i, "{\"card\":\"" + marker + i + "\"}", 200);
      JsonNode op = awaitDone(url, send("POST", url + "/v1/backups", null, 202));
      assertThat(op.path("state").asText()).as(op.toString()).isEqualTo("succeeded");
      id = op.path("backup").asText();
    }
    var objects = s3.client().listObjectsV2Paginator(r -> r.bucket(S3Server.BUCKET).prefix("atrest/")).contents();
    assertThat(objects).hasSizeGreaterThan(3);
    for (var o : objects) {
      String body = new String(s3.client().getObjectAsBytes(r -> r.bucket(S3Server.BUCKET).key(o.key())).asByteArray(),
          java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(body).as(o.key()).doesNotContain(marker);
    }
    Proc restored = restore(tmp.resolve("ar-r"), "--backup.s3.prefix=atrest", "--backup=" + id);
    assertThat(restored.exit).as(restored.out).isZero();
    Proc noKey = run(tmp.resolve("ar-r"), "--cluster.name=atrest-restored");
    assertThat(noKey.exit).as(noKey.out).isNotZero();
    assertThat(noKey.out).contains("is encrypted at rest").contains("encryption.key-file");
    try (ServerProcess n = new ServerProcess(tmp.resolve("ar-r"), S3Server.env(), "--cluster.name=atrest-restored",
        "--encryption.key-file=" + key).awaitReady(Duration.ofSeconds(60))) {
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> status(n.url() + "/ready") == 200);
      assertThat(send("GET", n.url() + "/v1/ns/shop/keys/s7", null, 200).path("card").asText()).isEqualTo(marker + 7);
    }
  }

  private static String[] with(String[] a, String... more) {
    List<String> l = new ArrayList<>(List.of(a));
    l.addAll(List.of(more));
    return l.toArray(String[]::new);
  }

  /**
   * A backup taken while transfers and writes go on restores to exactly the data at its revision: every key's value
   * and retained history equal the original's read at that revision, and the bank's total is intact.
   */
  @Test
  void aBackupUnderConcurrentWritesRestoresExactlyTheDataAtItsRevision() throws Exception {
    int accounts = 20;
    String backup;
    long revision;
    Path restored = tmp.resolve("load-restored");
    List<String> kvKeys = java.util.Collections.synchronizedList(new ArrayList<>());
    try (ServerProcess n = new ServerProcess(tmp.resolve("load"), S3Server.env(), flags("load")).awaitReady(Duration.ofSeconds(60))) {
      String url = n.url();
      send("PUT", url + "/v1/namespaces/bank", null, 201);
      send("PUT", url + "/v1/namespaces/kv", null, 201);
      for (int i = 0; i < accounts; i++) send("PUT", url + "/v1/ns/bank/keys/acct-" + i, "{\"balance\":100}", 200);
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicLong transfers = new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        long seed = t;
        writers.add(Thread.ofPlatform().start(() -> {
          java.util.Random rnd = new java.util.Random(seed);
          try {
            while (!stop.get()) {
              int a = rnd.nextInt(accounts), b = rnd.nextInt(accounts);
              if (a == b) continue;
              HttpResponse<String> ra = get(url + "/v1/ns/bank/keys/acct-" + a);
              HttpResponse<String> rb = get(url + "/v1/ns/bank/keys/acct-" + b);
              long balA = JSON.readTree(ra.body()).path("balance").asLong(), balB = JSON.readTree(rb.body()).path("balance").asLong();
              String revA = ra.headers().firstValue("Aion-Revision").orElseThrow(), revB = rb.headers().firstValue("Aion-Revision").orElseThrow();
              long amount = rnd.nextInt(10);
              JsonNode r = send("POST", url + "/v1/txn", "{\"namespace\":\"bank\",\"compare\":["
                  + "{\"key\":\"acct-" + a + "\",\"target\":\"modRevision\",\"op\":\"eq\",\"value\":" + revA + "},"
                  + "{\"key\":\"acct-" + b + "\",\"target\":\"modRevision\",\"op\":\"eq\",\"value\":" + revB + "}],"
                  + "\"success\":[{\"op\":\"put\",\"key\":\"acct-" + a + "\",\"value\":{\"balance\":" + (balA - amount) + "}},"
                  + "{\"op\":\"put\",\"key\":\"acct-" + b + "\",\"value\":{\"balance\":" + (balB + amount) + "}}]}", 200);
              if (r.path("succeeded").asBoolean()) transfers.incrementAndGet();
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }));
      }
      writers.add(Thread.ofPlatform().start(() -> {
        try {
          for (int i = 0; !stop.get(); i++) {
            String k = "k-" + (i % 150); // rewrites make history
            send("PUT", url + "/v1/ns/kv/keys/" + k, "{\"i\":" + i + "}", 200);
            if (i < 150) kvKeys.add(k);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> transfers.get() > 50 && kvKeys.size() > 100);
      JsonNode op = awaitDone(url, send("POST", url + "/v1/backups", null, 202));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> transfers.get() > 150);
      stop.set(true);
      for (Thread t : writers) t.join(30_000);
      assertThat(failure.get()).isNull();
      assertThat(op.path("state").asText()).as(op.toString()).isEqualTo("succeeded");
      backup = op.path("backup").asText();
      revision = op.path("result").path("revision").asLong();
      assertThat(revision).as("writes went on after the backup").isLessThan(
          send("PUT", url + "/v1/ns/kv/keys/last", "{}", 200).path("revision").asLong() - 10);

      Proc r = restore(restored, "--backup.s3.prefix=load", "--backup=" + backup);
      assertThat(r.exit).as(r.out).isZero();
      try (ServerProcess copy = new ServerProcess(restored, S3Server.env(), "--cluster.name=load-restored").awaitReady(Duration.ofSeconds(60))) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> status(copy.url() + "/ready") == 200);
        long total = 0;
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < accounts; i++) keys.add("bank/acct-" + i);
        for (String k : List.copyOf(kvKeys)) keys.add("kv/" + k);
        for (String nk : keys) {
          String ns = nk.substring(0, nk.indexOf('/')), key = nk.substring(nk.indexOf('/') + 1);
          HttpResponse<String> atRevision = get(url + "/v1/ns/" + ns + "/keys/" + key + "?revision=" + revision);
          HttpResponse<String> there = get(copy.url() + "/v1/ns/" + ns + "/keys/" + key);
          assertThat(there.statusCode()).as(nk).isEqualTo(atRevision.statusCode());
          assertThat(there.body()).as(nk).isEqualTo(atRevision.body());
          if (ns.equals("bank")) total += JSON.readTree(there.body()).path("balance").asLong();
          if (there.statusCode() == 200) {
            List<Long> original = new ArrayList<>();
            for (JsonNode v : send("GET", url + "/v1/ns/" + ns + "/history/" + key + "?limit=1000", null, 200).path("versions")) {
              if (v.path("revision").asLong() <= revision) original.add(v.path("revision").asLong());
            }
            List<Long> copied = new ArrayList<>();
            for (JsonNode v : send("GET", copy.url() + "/v1/ns/" + ns + "/history/" + key + "?limit=1000", null, 200).path("versions")) {
              copied.add(v.path("revision").asLong());
            }
            assertThat(copied).as("history of " + nk).isEqualTo(original);
          }
        }
        assertThat(total).as("the bank's total in the restored cluster").isEqualTo(100L * accounts);
      }
    }
  }

  /** The value of one sample in Prometheus text, by its name and labels as printed. */
  private static double metric(String text, String sample) {
    for (String line : text.lines().toList()) {
      if (line.startsWith(sample + " ")) return Double.parseDouble(line.substring(sample.length() + 1).trim().split(" ")[0]);
    }
    throw new AssertionError("no sample " + sample + " in /metrics:\n" + text.lines()
        .filter(l -> l.startsWith("aion_backup")).collect(java.util.stream.Collectors.joining("\n")));
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A caller that chooses the id can ask again after losing the answer: nothing new starts. */
  @Test
  void aCreateWithAChosenIdIsIdempotentAndASweepOnlyPruneExpiresNothing() throws Exception {
    try (ServerProcess n = new ServerProcess(tmp.resolve("ids"), S3Server.env(), flags("ids")).awaitReady(Duration.ofSeconds(60))) {
      String url = n.url();
      send("PUT", url + "/v1/namespaces/x", null, 201);
      send("PUT", url + "/v1/ns/x/keys/a", "{}", 200);
      String chosen = "20261206T000000Z-0000abcd";
      JsonNode first = awaitDone(url, send("POST", url + "/v1/backups", "{\"id\":\"" + chosen + "\"}", 202));
      assertThat(first.path("state").asText()).as(first.toString()).isEqualTo("succeeded");
      assertThat(first.path("backup").asText()).isEqualTo(chosen);
      send("PUT", url + "/v1/ns/x/keys/b", "{}", 200);
      JsonNode again = send("POST", url + "/v1/backups", "{\"id\":\"" + chosen + "\"}", 202);
      assertThat(again.path("state").asText()).as("answered, not started again").isEqualTo("succeeded");
      assertThat(again.path("result").path("keyCount").asLong()).as("the first run's result").isEqualTo(1);
      assertThat(send("GET", url + "/v1/backups", null, 200).path("backups")).hasSize(1);
      assertThat(send("POST", url + "/v1/backups", "{\"id\":\"../x\"}", 400).path("message").asText()).contains("not a backup id");
      send("POST", url + "/v1/backups", "{\"id\":5}", 400);

      send("POST", url + "/v1/backups/prune", "{\"sweepOnly\":true,\"keepLast\":1}", 400);
      send("POST", url + "/v1/backups/prune", "{\"sweepOnly\":\"yes\"}", 400);
      JsonNode sweep = awaitDone(url, send("POST", url + "/v1/backups/prune", "{\"sweepOnly\":true}", 202));
      assertThat(sweep.path("state").asText()).as(sweep.toString()).isEqualTo("succeeded");
      assertThat(sweep.path("result").path("expired")).isEmpty();
      assertThat(send("GET", url + "/v1/backups", null, 200).path("backups")).hasSize(1);
    }
    // after a restart the node has forgotten its operations: the manifest answers
    try (ServerProcess n = new ServerProcess(tmp.resolve("ids"), S3Server.env(), flags("ids")).awaitReady(Duration.ofSeconds(60))) {
      JsonNode again = send("POST", n.url() + "/v1/backups", "{\"id\":\"20261206T000000Z-0000abcd\"}", 202);
      assertThat(again.path("state").asText()).isEqualTo("succeeded");
      assertThat(again.path("result").path("keyCount").asLong()).isEqualTo(1);
      assertThat(send("GET", n.url() + "/v1/backups", null, 200).path("backups")).hasSize(1);
    }
  }

  /**
   * A named store (backup.stores-file) with its own credentials files: a backup asked for it with ?store= goes there
   * and only there, is listed, described, verified and deleted there; the credentials are read at every request (a
   * wrong secret fails the backup, the corrected file works without a restart); an unknown store is refused.
   */
  @Test
  void aBackupGoesToANamedStoreWithItsOwnCredentials() throws Exception {
    Path creds = Files.createDirectories(tmp.resolve("archive-credentials"));
    Files.writeString(creds.resolve("AWS_ACCESS_KEY_ID"), S3Server.ACCESS_KEY + "\n");
    Files.writeString(creds.resolve("AWS_SECRET_ACCESS_KEY"), "not-the-secret\n");
    Path stores = tmp.resolve("stores.properties");
    Files.writeString(stores, "archive.bucket=" + S3Server.BUCKET + "\narchive.endpoint=" + s3.url()
        + "\narchive.path-style=true\narchive.prefix=named/archive\narchive.credentials-dir=" + creds + "\n");
    List<String> args = new java.util.ArrayList<>(List.of(flags("named/default")));
    args.add("--backup.stores-file=" + stores);
    try (ServerProcess n = new ServerProcess(tmp.resolve("named"), S3Server.env(), args.toArray(String[]::new))
        .awaitReady(Duration.ofSeconds(60))) {
      String url = n.url();
      send("PUT", url + "/v1/namespaces/x", null, 201);
      send("PUT", url + "/v1/ns/x/keys/a", "{\"v\":1}", 200);

      JsonNode refused = awaitDone(url, send("POST", url + "/v1/backups?store=archive", null, 202));
      assertThat(refused.path("state").asText()).as("the store's own (wrong) secret, not the environment's: %s", refused)
          .isEqualTo("failed");
      assertThat(refused.path("store").asText()).isEqualTo("archive");
      Files.writeString(creds.resolve("AWS_SECRET_ACCESS_KEY"), S3Server.SECRET_KEY);
      JsonNode op = awaitDone(url, send("POST", url + "/v1/backups?store=archive", null, 202));
      assertThat(op.path("state").asText()).as(op.toString()).isEqualTo("succeeded");
      String id = op.path("backup").asText();
      assertThat(send("GET", url + "/v1/backups/operations/" + op.path("id").asText(), null, 200).path("store").asText())
          .isEqualTo("archive");

      JsonNode listed = send("GET", url + "/v1/backups?store=archive", null, 200);
      assertThat(listed.path("store").asText()).isEqualTo("archive");
      assertThat(listed.path("target").asText()).contains("named/archive");
      assertThat(listed.path("backups")).singleElement().satisfies(b -> assertThat(b.path("id").asText()).isEqualTo(id));
      assertThat(send("GET", url + "/v1/backups", null, 200).path("backups")).as("the default store").isEmpty();
      assertThat(send("GET", url + "/v1/backups/" + id, null, 404).path("code").asText()).isEqualTo("BACKUP_NOT_FOUND");
      assertThat(send("GET", url + "/v1/backups/" + id + "?store=archive", null, 200).path("keyCount").asLong()).isEqualTo(1);
      assertThat(s3.client().listObjectsV2(r -> r.bucket(S3Server.BUCKET).prefix("named/archive/backups/" + id + "/"))
          .contents()).as("its manifest under the store's prefix").isNotEmpty();
      assertThat(s3.client().listObjectsV2(r -> r.bucket(S3Server.BUCKET).prefix("named/default/")).contents())
          .as("nothing in the default store").isEmpty();

      JsonNode verified = awaitDone(url, send("POST", url + "/v1/backups/" + id + "/verify?store=archive", "{\"level\":\"deep\"}", 202));
      assertThat(verified.path("state").asText()).as(verified.toString()).isEqualTo("succeeded");

      JsonNode unknown = send("POST", url + "/v1/backups?store=offsite", null, 409);
      assertThat(unknown.path("code").asText()).isEqualTo("BACKUP_NOT_CONFIGURED");
      assertThat(unknown.path("message").asText()).contains("no backup store 'offsite'", "archive");
      send("GET", url + "/v1/backups?store=Not_A_Name", null, 400);
      send("GET", url + "/v1/backups?store=archive&store=archive", null, 400);

      send("DELETE", url + "/v1/backups/" + id + "?store=archive", null, 200);
      assertThat(send("GET", url + "/v1/backups?store=archive", null, 200).path("backups")).isEmpty();
    }
  }

  @Test
  void aNodeWithoutABackupTargetSaysSo() throws Exception {
    try (ServerProcess n = new ServerProcess(tmp.resolve("plain")).awaitReady(Duration.ofSeconds(60))) {
      JsonNode e = send("POST", n.url() + "/v1/backups", null, 409);
      assertThat(e.path("code").asText()).isEqualTo("BACKUP_NOT_CONFIGURED");
      assertThat(e.path("message").asText()).contains("backup.s3.bucket");
    }
  }

  /**
   * Every ```sh block of docs/backup.md runs against a server backing up to the test store and must succeed; a JSON
   * answer must have every field the documented one shows (values differ: ids, times, sizes).
   */
  @Test
  void everyExampleOfTheBackupDocWorks() throws Exception {
    List<io.aiondb.server.it.DocsIT.Example> examples =
        io.aiondb.server.it.DocsIT.examples(Files.readString(Path.of("../../docs/backup.md")));
    assertThat(examples).hasSizeGreaterThanOrEqualTo(4);
    try (ServerProcess n = new ServerProcess(tmp.resolve("docs"), S3Server.env(), flags("docs")).awaitReady(Duration.ofSeconds(60))) {
      send("PUT", n.url() + "/v1/namespaces/demo", null, 201);
      for (int i = 0; i < 3; i++) send("PUT", n.url() + "/v1/ns/demo/keys/k" + i, "{\"i\":" + i + "}", 200);
      for (var ex : examples) {
        Process p = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + ex.command().replace("http://localhost:7070", n.url()))
            .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(ex.command()).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(ex.command() + "\n" + out).isZero();
        if ("json".equals(ex.kind())) assertHasFields(ex.command(), JSON.readTree(ex.expected()), JSON.readTree(out));
      }
    }
  }

  private static void assertHasFields(String where, JsonNode expected, JsonNode actual) {
    if (!expected.isObject()) return;
    assertThat(actual.isObject()).as(where + ": " + actual).isTrue();
    expected.fieldNames().forEachRemaining(f -> {
      assertThat(actual.has(f)).as(where + ": field " + f + " missing in " + actual).isTrue();
      assertHasFields(where, expected.get(f), actual.get(f));
    });
  }

  // ------------------------------------------------------------------ helpers

  private static String[] flags(String prefix) {
    return s3.flags(prefix);
  }

  private static void putBatch(String url, int from, int to) throws Exception {
    StringBuilder sb = new StringBuilder("{\"items\":[");
    for (int i = from; i < to; i++) {
      if (i > from) sb.append(',');
      sb.append("{\"key\":\"item-").append(i).append("\",\"value\":{\"price\":").append(i).append(",\"v\":1}}");
    }
    send("PUT", url + "/v1/ns/shop/keys", sb.append("]}").toString(), 200);
  }

  private static JsonNode awaitDone(String url, JsonNode op) {
    String id = op.path("id").asText();
    JsonNode[] last = {op};
    Awaitility.await("operation " + id).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
      last[0] = send("GET", url + "/v1/backups/operations/" + id, null, 200);
      return !last[0].path("state").asText().equals("running");
    });
    return last[0];
  }

  private static int status(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  static JsonNode send(String method, String url, String body, int expect) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(method + " " + url + " answered " + r.body()).isEqualTo(expect);
    return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
  }

  record Proc(int exit, String out) {}

  /** Starts a server on {@code dataDir} expected to stop by itself (a refused start): its exit code and output. */
  private static Proc run(Path dataDir, String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-jar",
        Path.of("target/aion-server.jar").toAbsolutePath().toString(), "--data.dir=" + dataDir, "--http.port=0"));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(tmp, "run", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the server did not stop by itself:\n" + Files.readString(log));
    }
    return new Proc(p.exitValue(), Files.readString(log));
  }

  private static Proc restore(Path dataDir, String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-jar",
        Path.of("target/aion-server.jar").toAbsolutePath().toString(), "restore", "--data.dir=" + dataDir,
        "--cluster.name=prod"));
    cmd.addAll(List.of(flags("prod")));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(S3Server.env());
    Path log = Files.createTempFile(tmp, "restore", ".log");
    Process p = pb.redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Proc(p.exitValue(), Files.readString(log));
  }
}
