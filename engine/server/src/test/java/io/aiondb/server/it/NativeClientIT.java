package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.client.Aion;
import io.aiondb.client.AionException;
import io.aiondb.client.KeyValue;
import io.aiondb.client.Read;
import io.aiondb.client.Transaction;
import io.aiondb.client.Txn;
import io.aiondb.client.TxnResult;
import io.aiondb.client.ValueType;
import io.aiondb.client.Watch;
import io.aiondb.client.WatchEvent;
import io.aiondb.client.WatchListener;
import io.aiondb.client.protocol.Frames;
import io.aiondb.client.protocol.Requests;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native Java client over the binary protocol against a real server, and the protocol's handling of bad frames. */
class NativeClientIT {
  @TempDir static Path dir;
  static TestServer s;
  static Aion db;

  @BeforeAll
  static void start() {
    s = new TestServer(dir.resolve("data"));
    db = Aion.builder().seeds(s.protocolAddress).requestTimeout(Duration.ofSeconds(10)).connect();
    db.createNamespace("n");
  }

  @AfterAll
  static void stop() {
    db.close();
    s.close();
  }

  static byte[] b(String x) {
    return x.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void keysRoundTripAndMatchTheHttpApi() {
    var w = db.put("n", "k1", "hello");
    assertThat(w.revision()).isPositive();
    KeyValue kv = db.get("n", "k1").orElseThrow();
    assertThat(kv.text()).isEqualTo("hello");
    assertThat(kv.revision()).isEqualTo(w.revision());
    assertThat(s.client.get("n", "k1").orElseThrow().text()).isEqualTo("hello"); // the same data over HTTP
    assertThat(db.get("n", b("k1"), Read.stale()).orElseThrow().text()).isEqualTo("hello");
    var w2 = db.put("n", b("k1"), b("{\"x\":1}"), ValueType.JSON, w.revision());
    assertThat(db.get("n", b("k1"), Read.linearizable().atRevision(w.revision())).orElseThrow().text()).isEqualTo("hello");
    assertThat(db.history("n", b("k1"), 10, 0)).extracting(KeyValue::revision).containsExactly(w2.revision(), w.revision());
    assertThatThrownBy(() -> db.put("n", b("k1"), b("x"), ValueType.TEXT, w.revision()))
        .isInstanceOfSatisfying(AionException.Conflict.class, e -> assertThat(e.code()).isEqualTo("REVISION_MISMATCH"));
    assertThat(db.delete("n", "k1").applied()).isTrue();
    assertThat(db.delete("n", "k1").applied()).isFalse();
    assertThat(db.get("n", "k1")).isEmpty();
    assertThatThrownBy(() -> db.get("missing-ns", "k")).isInstanceOf(AionException.NotFound.class);
    assertThatThrownBy(() -> db.put("n", b(""), b("x"), ValueType.TEXT, -1))
        .isInstanceOfSatisfying(AionException.InvalidRequest.class, e -> assertThat(e.code()).isEqualTo("INVALID_KEY"));
    assertThat(db.namespaces()).contains("n");
    assertThat(db.query("n", "{\"prefix\": \"k\", \"limit\": 5}").get("count").asInt()).isZero();
  }

  @Test
  void manyRequestsInFlightOnFewConnections() {
    db.createNamespace("pipe");
    List<CompletableFuture<?>> fs = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      fs.add(db.putAsync("pipe", b("k" + (i % 100)), b("v" + i), ValueType.TEXT, -1));
      fs.add(db.getAsync("pipe", b("k" + (i % 100)), Read.stale()));
    }
    CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
    assertThat(db.query("pipe", "{\"keysOnly\": true, \"limit\": 1000}").get("count").asInt()).isEqualTo(100);
    // every request is timed per operation and outcome, in histogram buckets (docs/metrics.md)
    String metrics = s.server.node().metrics().scrape();
    assertThat(metrics).containsPattern("aion_protocol_requests_seconds_count\\{op=\"put\",outcome=\"ok\"} ([0-9.E]+)")
        .contains("aion_protocol_requests_seconds_bucket{op=\"get\",outcome=\"ok\",le=\"0.001\"}")
        .contains("aion_protocol_requests_seconds_bucket{op=\"get\",outcome=\"ok\",le=\"30.0\"}");
    var count = java.util.regex.Pattern.compile("aion_protocol_requests_seconds_count\\{op=\"put\",outcome=\"ok\"} ([0-9.E]+)")
        .matcher(metrics);
    assertThat(count.find()).isTrue();
    assertThat(Double.parseDouble(count.group(1))).as("the 2,000 puts above").isGreaterThanOrEqualTo(2000);
  }

  @Test
  void conditionalAndInteractiveTransactions() throws Exception {
    db.createNamespace("bank");
    for (String a : List.of("a", "b", "c")) db.put("bank", a, "100");
    TxnResult r = db.txn().ifAbsent("bank", "d").then(Txn.put("bank", "d", "0"), Txn.rangePrefix("bank", "", 10)).commit();
    assertThat(r.succeeded()).isTrue();
    assertThat(r.<TxnResult.RangeResult>result(1).entries()).hasSize(4);
    assertThat(db.txn().ifAbsent("bank", "d").then(Txn.put("bank", "d", "1")).commit().succeeded()).isFalse();

    // concurrent transfers: the total never changes, every committed transfer is visible exactly once
    List<String> accounts = List.of("a", "b", "c", "d");
    int threads = 4;
    int perThread = 25;
    List<Thread> ts = new ArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      ts.add(Thread.ofVirtual().start(() -> {
        java.util.Random rnd = new java.util.Random(seed);
        try {
          for (int i = 0; i < perThread; i++) {
            String from = accounts.get(rnd.nextInt(4));
            String to = accounts.get(rnd.nextInt(4));
            if (from.equals(to)) continue;
            int amount = 1 + rnd.nextInt(5);
            String mark = "t" + seed + "-" + i;
            db.inTransaction(50, tx -> {
              long fb = balance(tx, from);
              long tb = balance(tx, to);
              tx.put("bank", from, Long.toString(fb - amount));
              tx.put("bank", to, Long.toString(tb + amount));
              tx.put("bank", "log/" + mark, from + ">" + to + ":" + amount);
              return null;
            });
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    for (Thread t : ts) t.join();
    assertThat(errors).isEmpty();
    long total = 0;
    for (String a : accounts) total += Long.parseLong(db.get("bank", a).orElseThrow().text());
    assertThat(total).isEqualTo(300);
    var log = db.query("bank", "{\"prefix\": \"log/\", \"limit\": 1000}");
    long transfers = log.get("count").asLong();
    assertThat(transfers).isPositive();

    Transaction stale = db.begin();
    long before = balance(stale, "a");
    db.put("bank", "a", Long.toString(before + 1000)); // someone else writes what the transaction read
    stale.put("bank", "a", Long.toString(before - 1));
    assertThatThrownBy(stale::commit).isInstanceOf(AionException.TransactionConflict.class);
    assertThat(db.get("bank", "a").orElseThrow().text()).isEqualTo(Long.toString(before + 1000));
  }

  private static long balance(Transaction tx, String account) {
    return Long.parseLong(tx.get("bank", account).map(KeyValue::text).orElse("0"));
  }

  @Test
  void watchDeliversEveryRevisionOnceAndCanBeClosed() throws Exception {
    db.createNamespace("feed");
    long first = db.put("feed", "x/0", "0").revision();
    List<Long> revisions = new CopyOnWriteArrayList<>();
    List<String> values = new CopyOnWriteArrayList<>();
    CountDownLatch closed = new CountDownLatch(1);
    try (Watch w = db.watch("feed", b("x/"), true, first, new WatchListener() {
      @Override
      public void onEvents(long revision, List<WatchEvent> events) {
        revisions.add(revision);
        events.forEach(e -> values.add(e.keyText() + "=" + (e.deleted() ? "-" : e.value().text())));
      }

      @Override
      public void onClose(AionException error) {
        closed.countDown();
      }
    })) {
      for (int i = 1; i <= 20; i++) db.put("feed", "x/" + i, Integer.toString(i));
      db.put("feed", "other", "ignored");
      db.delete("feed", "x/0");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> values.size() == 22);
      assertThat(w.nextRevision()).isGreaterThan(first);
    }
    assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(revisions).isSorted().doesNotHaveDuplicates();
    assertThat(values.getFirst()).isEqualTo("x/0=0");
    assertThat(values.getLast()).isEqualTo("x/0=-");

    List<AionException> ended = new CopyOnWriteArrayList<>();
    try (Watch w = db.watch("missing-ns", b("k"), false, 0, new WatchListener() {
      @Override
      public void onEvents(long revision, List<WatchEvent> events) {}

      @Override
      public void onClose(AionException error) {
        ended.add(error);
      }
    })) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !ended.isEmpty());
    }
    assertThat(ended.getFirst()).isInstanceOf(AionException.NotFound.class);
  }

  // ------------------------------------------------------------------ the protocol itself, byte by byte

  record Answer(long id, int kind, byte[] payload) {
    String error() {
      Frames.In r = new Frames.In(payload);
      return r.string() + ": " + r.string();
    }
  }

  static Answer read(DataInputStream in) throws Exception {
    int len = in.readInt();
    long id = in.readInt() & 0xFFFFFFFFL;
    int kind = in.readUnsignedByte();
    return new Answer(id, kind, in.readNBytes(len - 5));
  }

  static Socket raw() throws Exception {
    String[] hp = s.protocolAddress.split(":");
    Socket sock = new Socket(hp[0], Integer.parseInt(hp[1]));
    sock.setSoTimeout(10_000);
    return sock;
  }

  @Test
  void badFramesCloseOnlyTheirConnection() throws Exception {
    // no HELLO first
    try (Socket sock = raw()) {
      sock.getOutputStream().write(Frames.frame(5, Frames.PING, new byte[0]));
      Answer a = read(new DataInputStream(sock.getInputStream()));
      assertThat(a.kind()).isEqualTo(Frames.ERROR);
      assertThat(a.error()).contains("HELLO");
      assertThat(sock.getInputStream().read()).isEqualTo(-1); // closed
    }
    // oversized length: error frame with id 0, then closed
    try (Socket sock = raw()) {
      OutputStream out = sock.getOutputStream();
      out.write(Frames.frame(1, Frames.HELLO, Requests.hello("raw")));
      DataInputStream in = new DataInputStream(sock.getInputStream());
      assertThat(read(in).kind()).isEqualTo(Frames.OK);
      out.write(new byte[] {0x7F, 0, 0, 0, 0, 0, 0, 9, 2});
      Answer a = read(in);
      assertThat(a.id()).isZero();
      assertThat(a.error()).startsWith("VALUE_TOO_LARGE");
      assertThat(in.read()).isEqualTo(-1);
    }
    // a truncated payload is malformed: error with its id, then closed; a semantic error keeps the connection
    try (Socket sock = raw()) {
      OutputStream out = sock.getOutputStream();
      DataInputStream in = new DataInputStream(sock.getInputStream());
      out.write(Frames.frame(1, Frames.HELLO, Requests.hello("raw")));
      assertThat(read(in).kind()).isEqualTo(Frames.OK);
      out.write(Frames.frame(2, Frames.GET, Requests.get("n", new byte[0], 0, false, 0))); // empty key: invalid
      Answer invalid = read(in);
      assertThat(invalid.id()).isEqualTo(2);
      assertThat(invalid.error()).startsWith("INVALID_KEY");
      out.write(Frames.frame(3, 0x55, new byte[0])); // unknown kind: an error, the connection stays
      assertThat(read(in).error()).contains("unknown request kind");
      out.write(Frames.frame(4, Frames.PING, new byte[0]));
      assertThat(read(in)).satisfies(a -> {
        assertThat(a.id()).isEqualTo(4);
        assertThat(a.kind()).isEqualTo(Frames.OK);
      });
      byte[] get = Requests.get("n", b("k"), 0, false, 0);
      out.write(Frames.frame(5, Frames.GET, java.util.Arrays.copyOf(get, get.length - 3)));
      Answer malformed = read(in);
      assertThat(malformed.id()).isEqualTo(5);
      assertThat(malformed.error()).contains("malformed");
      assertThat(in.read()).isEqualTo(-1);
    }
    // the other clients never noticed
    db.put("n", "still", "serving");
    assertThat(db.get("n", "still").map(KeyValue::text)).isEqualTo(Optional.of("serving"));
  }
}
