package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.client.Aion;
import io.aiondb.client.AionException;
import io.aiondb.client.KeyValue;
import io.aiondb.client.Txn;
import io.aiondb.client.ValueType;
import io.aiondb.client.protocol.Frames;
import io.aiondb.client.protocol.Requests;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that try to hurt a node through its connections: answers over one protocol frame, pipelining without
 * reading, idling, opening too many connections, and HTTP slowloris. After each case a normal write and read work
 * and earlier writes are intact. Each test starts its own server with the limits it exercises.
 */
class HostileClientIT {
  @TempDir Path dir;

  static final int BIG = 4_000_000; // one value near the 4 MiB maximum

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] big(int seed) {
    byte[] v = new byte[BIG];
    Arrays.fill(v, (byte) seed);
    return v;
  }

  static Aion client(TestServer s) {
    return Aion.builder().seeds(s.protocolAddress).requestTimeout(Duration.ofSeconds(10)).connect();
  }

  /** A put and a get work, and the keys written before are still what they were. */
  static void stillServes(TestServer s, String... earlier) {
    try (Aion db = client(s)) {
      db.put("n", "probe", "ok");
      assertThat(db.get("n", "probe")).map(KeyValue::text).contains("ok");
      for (String k : earlier) assertThat(db.get("n", k)).as(k).map(KeyValue::text).contains("v-" + k);
    }
  }

  // ------------------------------------------------------------------ raw protocol

  record Frame(long id, int kind, byte[] payload) {
    String code() {
      return new Frames.In(payload).string();
    }

    String message() {
      Frames.In r = new Frames.In(payload);
      r.string();
      return r.string();
    }
  }

  static Socket connect(TestServer s) throws Exception {
    String[] hp = s.protocolAddress.split(":");
    return new Socket(hp[0], Integer.parseInt(hp[1]));
  }

  static Socket hello(TestServer s) throws Exception {
    Socket sock = connect(s);
    sock.setSoTimeout(20_000);
    sock.getOutputStream().write(Frames.frame(1, Frames.HELLO, Requests.hello("hostile")));
    Frame f = read(sock);
    assertThat(f.kind()).isEqualTo(Frames.OK);
    return sock;
  }

  static Frame read(Socket sock) throws Exception {
    DataInputStream in = new DataInputStream(sock.getInputStream());
    int len = in.readInt();
    assertThat(len).isBetween(5, Frames.MAX_FRAME);
    long id = in.readInt() & 0xFFFFFFFFL;
    int kind = in.readUnsignedByte();
    return new Frame(id, kind, in.readNBytes(len - 5));
  }

  static Frame call(Socket sock, long id, int kind, byte[] payload) throws Exception {
    sock.getOutputStream().write(Frames.frame(id, kind, payload));
    Frame f = read(sock);
    assertThat(f.id()).isEqualTo(id);
    return f;
  }

  /** True when the peer closed: EOF or reset (a timeout means it is still open). */
  static boolean closedByServer(Socket sock) throws Exception {
    InputStream in = sock.getInputStream();
    try {
      while (true) if (in.read() < 0) return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException | EOFException e) {
      return true;
    }
  }

  // ------------------------------------------------------------------ answers over one frame

  @Test
  void answersOverOneFrameAreRefusedAndTheConnectionKeepsServing() throws Exception {
    try (TestServer s = new TestServer(dir.resolve("d")); Aion db = client(s)) {
      db.createNamespace("n");
      db.put("n", "before", "v-before");
      for (int i = 0; i < 5; i++) db.put("n", b("big/" + i), big(i), ValueType.BINARY, -1);
      for (int i = 0; i < 5; i++) db.put("n", b("hist"), big(10 + i), ValueType.BINARY, -1);
      // text whose every character JSON escapes as six (\u0001): 8 MiB stored (the maxBytes cap) renders as ~48 MB
      for (int i = 0; i < 3; i++) db.put("n", b("esc/" + i), "\u0001".repeat(3 << 20).getBytes(StandardCharsets.UTF_8), ValueType.TEXT, -1);

      try (Socket sock = hello(s)) {
        // a query page within maxBytes (stored bytes) whose JSON is far over one frame
        Frame q = call(sock, 2, Frames.QUERY, Requests.query("n", false, 0,
            b("{\"prefix\":\"esc/\",\"limit\":10,\"maxBytes\":8388608}")));
        assertThat(q.kind()).isEqualTo(Frames.ERROR);
        assertThat(q.code()).isEqualTo("RESPONSE_TOO_LARGE");
        assertThat(q.message()).contains("maxBytes");

        // five ~4 MB versions: the history page stops at its byte cap (8 MiB of values) and fits a frame
        Frame h = call(sock, 3, Frames.HISTORY, Requests.history("n", b("hist"), 5, 0));
        assertThat(h.kind()).isEqualTo(Frames.OK);
        assertThat(new Frames.In(h.payload()).u32()).isEqualTo(2); // 2 x 4 MB within 8 MiB, a third would pass it

        // the same connection still writes and reads
        Frame put = call(sock, 5, Frames.PUT, Requests.put("n", b("same-conn"), 2, -1, b("v-same-conn")));
        assertThat(put.kind()).isEqualTo(Frames.OK);
        Frame get = call(sock, 6, Frames.GET, Requests.get("n", b("same-conn"), 0, false, 0));
        assertThat(get.kind()).isEqualTo(Frames.OK);
        assertThat(new String(get.payload(), StandardCharsets.UTF_8)).contains("v-same-conn");
      }

      // the Java client: a typed exception, and its connection is not lost
      assertThatThrownBy(() -> db.query("n", "{\"prefix\":\"esc/\",\"limit\":10,\"maxBytes\":8388608}"))
          .isInstanceOf(AionException.ResponseTooLarge.class);
      TxnResultCheck.bigTxnIsRefusedAndWritesNothing(db);
      assertThat(db.history("n", b("hist"), 3, 0)).hasSize(2); // one page: the byte cap holds two 4 MB versions
      stillServes(s, "before", "same-conn");
    }
  }

  /**
   * A transaction whose gets would return ~20 MB is refused inside apply by its read budget (4 MiB of values): the
   * whole transaction, its put included, takes no effect, and the answer says why.
   */
  static final class TxnResultCheck {
    static void bigTxnIsRefusedAndWritesNothing(Aion db) {
      List<Txn.Op> ops = new ArrayList<>();
      ops.add(Txn.put("n", "txn-mark", "v-txn-mark"));
      for (int i = 0; i < 5; i++) ops.add(Txn.get("n", b("big/" + i)));
      assertThatThrownBy(() -> db.txn().then(ops.toArray(Txn.Op[]::new)).commit())
          .isInstanceOf(AionException.ResponseTooLarge.class)
          .hasMessageContaining("more than 4 MiB");
      assertThat(db.get("n", "txn-mark")).isEmpty();
    }
  }

  // ------------------------------------------------------------------ memory of a client that never reads

  @Test
  void aClientThatPipelinesAndNeverReadsHoldsBoundedMemory() throws Exception {
    long budget = 16L << 20;
    try (TestServer s = new TestServer(dir.resolve("d"), "--protocol.max-connection-memory=16MiB");
        Aion db = client(s)) {
      db.createNamespace("n");
      db.put("n", "before", "v-before");
      db.put("n", b("big"), big(7), ValueType.BINARY, -1);

      Socket sock = connect(s);
      sock.setReceiveBufferSize(4096);
      sock.getOutputStream().write(Frames.frame(1, Frames.HELLO, Requests.hello("never-reads")));
      // 150 GETs of a 4 MB value: 600 MB of answers if the server queued them all
      Thread writer = Thread.ofVirtual().start(() -> {
        try {
          OutputStream out = sock.getOutputStream();
          for (int i = 0; i < 150; i++) out.write(Frames.frame(10 + i, Frames.GET, Requests.get("n", b("big"), 0, true, 0)));
          // and large puts, whose payloads the server must not all buffer either
          for (int i = 0; i < 40; i++) {
            out.write(Frames.frame(1000 + i, Frames.PUT, Requests.put("n", b("p/" + i), 0, -1, big(i))));
          }
        } catch (Exception e) {
          // the socket closes at the end of the test
        }
      });
      // the budget, plus one reserved answer (a GET reserves 4 MiB + 4 KiB) and one frame being read (16 MiB max),
      // checked continuously for 3 s while the server is under pressure
      long bound = budget + (4L << 20) + 4096 + (16L << 20);
      java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong();
      Awaitility.await("bytes held for the connection that never reads stay bounded").during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(50))
          .until(() -> peak.accumulateAndGet(s.server.protocol().heldBytes(), Math::max) <= bound);
      assertThat(peak.get()).as("the connection was under pressure").isPositive();

      // other clients are served meanwhile
      try (Aion other = client(s)) {
        other.put("n", "meanwhile", "v-meanwhile");
        assertThat(other.get("n", "meanwhile")).map(KeyValue::text).contains("v-meanwhile");
      }
      sock.close();
      writer.join(10_000);
      Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> s.server.protocol().heldBytes() == 0);
      stillServes(s, "before", "meanwhile");
    }
  }

  // ------------------------------------------------------------------ idle connections

  @Test
  void anIdleConnectionIsClosedAndTheClientReconnects() throws Exception {
    try (TestServer s = new TestServer(dir.resolve("d"), "--protocol.idle-timeout=500ms"); Aion db = client(s)) {
      db.createNamespace("n");
      db.put("n", "before", "v-before");

      try (Socket idle = hello(s); Socket watching = hello(s)) {
        watching.getOutputStream().write(Frames.frame(9, Frames.WATCH, Requests.watch("n", true, new byte[0], 0)));
        idle.setSoTimeout(10_000);
        Frame bye = read(idle);
        assertThat(bye.id()).isZero();
        assertThat(bye.kind()).isEqualTo(Frames.ERROR);
        assertThat(bye.code()).isEqualTo("CONNECTION_IDLE");
        assertThat(closedByServer(idle)).isTrue();

        // a connection with a watch open (and reading its events) stays open past the timeout
        watching.setSoTimeout(1500);
        assertThat(closedByServer(watching)).isFalse();
        assertThat(s.server.protocol().connections()).isGreaterThanOrEqualTo(1);
      }

      // the client's own connections are closed as idle too: its next calls reconnect
      Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> s.server.protocol().connections() == 0);
      db.put("n", "later", "v-later");
      assertThat(db.get("n", "later")).map(KeyValue::text).contains("v-later");
      stillServes(s, "before", "later");
    }
  }

  // ------------------------------------------------------------------ connection cap

  @Test
  void theConnectionCapRefusesTheNextConnectionAndFreesSlots() throws Exception {
    try (TestServer s = new TestServer(dir.resolve("d"), "--protocol.max-connections=3")) {
      try (Aion db = Aion.builder().seeds(s.protocolAddress).connectionsPerNode(1).requestTimeout(Duration.ofSeconds(10)).connect()) {
        db.createNamespace("n");
        db.put("n", "before", "v-before");
      }
      Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> s.server.protocol().connections() == 0);
      Socket a = hello(s);
      Socket b = hello(s);
      Socket c = hello(s);
      try (Socket refused = connect(s)) {
        refused.setSoTimeout(10_000);
        refused.getOutputStream().write(Frames.frame(1, Frames.HELLO, Requests.hello("one-too-many")));
        Frame f = read(refused);
        assertThat(f.id()).isZero();
        assertThat(f.code()).isEqualTo("TOO_MANY_CONNECTIONS");
        assertThat(f.message()).contains("protocol.max-connections");
        assertThat(closedByServer(refused)).isTrue();
      }
      assertThatThrownBy(() -> Aion.builder().seeds(s.protocolAddress).requestTimeout(Duration.ofMillis(800)).connect())
          .isInstanceOfSatisfying(AionException.Unavailable.class, e -> assertThat(e.code()).isEqualTo("TOO_MANY_CONNECTIONS"));
      assertThat(s.server.protocol().connections()).isEqualTo(3);

      a.close();
      b.close();
      c.close();
      Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> s.server.protocol().connections() == 0);
      try (Socket again = hello(s)) {
        assertThat(call(again, 2, Frames.PING, new byte[0]).kind()).isEqualTo(Frames.OK);
      }
      stillServes(s, "before");
    }
  }

  // ------------------------------------------------------------------ HTTP

  @Test
  void httpSlowlorisIdleAndTooManyConnectionsAreClosed() throws Exception {
    try (TestServer s = new TestServer(dir.resolve("d"), "--http.idle-timeout=2s", "--http.read-timeout=500ms",
        "--http.max-connections=4")) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI base = URI.create(s.url);
      int port = base.getPort();
      HttpResponse<String> ns = http.send(HttpRequest.newBuilder(base.resolve("/v1/namespaces/n"))
          .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ns.statusCode()).isIn(200, 201);
      put(http, base, "before");

      // headers sent one byte every 100 ms (each byte would reset a plain idle timer): closed at the deadline
      try (Socket slow = new Socket("127.0.0.1", port)) {
        slow.setSoTimeout(100);
        byte[] head = b("GET /v1/ns/n/keys/before HTTP/1.1\r\nHost: x\r\nX-Padding: " + "a".repeat(200) + "\r\n\r\n");
        boolean closed = false;
        for (int i = 0; i < head.length && !closed; i++) {
          try {
            slow.getOutputStream().write(head[i]);
          } catch (SocketException e) {
            closed = true;
            break;
          }
          closed = closedByServer(slow);
        }
        assertThat(closed).as("a request head trickled over 25 s is cut at http.idle-timeout (2 s)").isTrue();
      }

      // a body that never completes: 408 and the connection closes
      try (Socket slowBody = new Socket("127.0.0.1", port)) {
        slowBody.setSoTimeout(10_000);
        slowBody.getOutputStream().write(b("PUT /v1/ns/n/keys/slow HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 1000\r\n\r\nonly-a-few-bytes"));
        String answer = new String(slowBody.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(answer).startsWith("HTTP/1.1 408").contains("REQUEST_TIMEOUT");
      }

      // idle connections fill the cap; one more is closed at once; after the idle timeout the slots are free
      Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> gauge(s) == 0);
      List<Socket> idle = new ArrayList<>();
      for (int i = 0; i < 4; i++) idle.add(new Socket("127.0.0.1", port));
      Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> gauge(s) == 4);
      try (Socket over = new Socket("127.0.0.1", port)) {
        over.setSoTimeout(5_000);
        assertThat(closedByServer(over)).as("a fifth connection is closed").isTrue();
      }
      for (Socket i : idle) {
        i.setSoTimeout(10_000);
        assertThat(closedByServer(i)).as("an idle connection is closed after http.idle-timeout").isTrue();
        i.close();
      }
      put(http, base, "after");
      HttpResponse<String> get = http.send(HttpRequest.newBuilder(base.resolve("/v1/ns/n/keys/before")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(get.body()).isEqualTo("v-before");
      assertThat(http.send(HttpRequest.newBuilder(base.resolve("/v1/ns/n/keys/slow")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
      stillServes(s, "before", "after");
    }
  }

  static int gauge(TestServer s) {
    return (int) s.server.node().metrics().get("aion.http.connections").gauge().value();
  }

  static void put(HttpClient http, URI base, String key) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/ns/n/keys/" + key))
        .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("v-" + key)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }
}
