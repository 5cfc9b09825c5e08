package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.client.Aion;
import io.aiondb.client.AionException;
import io.aiondb.client.BatchResult;
import io.aiondb.client.KeyValue;
import io.aiondb.client.PutBatch;
import io.aiondb.client.ValueType;
import io.aiondb.client.protocol.Frames;
import io.aiondb.client.protocol.Requests;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch writes on a real server, over HTTP ({@code PUT /v1/ns/{ns}/keys}), the binary protocol (PUT_BATCH, byte by
 * byte) and the Java client: every key at one revision, and hostile batches refused whole, writing nothing.
 */
class BatchWriteIT {
  private static final ObjectMapper M = new ObjectMapper();
  @TempDir static Path dir;
  static TestServer s;
  static Aion db;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    s = new TestServer(dir.resolve("data"));
    db = Aion.builder().seeds(s.protocolAddress).requestTimeout(Duration.ofSeconds(10)).connect();
    db.createNamespace("b");
  }

  @AfterAll
  static void stop() {
    db.close();
    s.close();
  }

  record Resp(int status, JsonNode json) {
    String code() {
      return json.path("code").asText();
    }

    String message() {
      return json.path("message").asText();
    }
  }

  static Resp put(String ns, String contentType, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url + "/v1/ns/" + ns + "/keys"))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) b.header("Content-Type", contentType);
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Resp(r.statusCode(), r.body().isEmpty() ? M.createObjectNode() : M.readTree(r.body()));
  }

  static Resp put(String ns, JsonNode body) throws Exception {
    return put(ns, "application/json", M.writeValueAsBytes(body));
  }

  /** {"items": [{"key": prefix+i, "value": {"n": i}} ...]}. */
  static ObjectNode items(String prefix, int n) {
    ObjectNode body = M.createObjectNode();
    ArrayNode items = body.putArray("items");
    for (int i = 0; i < n; i++) items.addObject().put("key", prefix + i).putObject("value").put("n", i);
    return body;
  }

  static long revision() {
    return db.put("b", "probe", "x").revision(); // one write: the revision counter moves by exactly one
  }

  static void noneExist(String prefix, int n) {
    for (int i = 0; i < n; i++) assertThat(db.get("b", prefix + i)).as(prefix + i).isEmpty();
  }

  @Test
  void httpWritesEveryItemAtOneRevision() throws Exception {
    ObjectNode body = M.createObjectNode();
    ArrayNode items = body.putArray("items");
    items.addObject().put("key", "h-json").putObject("value").put("a", 1);
    items.addObject().put("key", "h-text").put("text", "héllo");
    items.addObject().put("keyBase64", Base64.getEncoder().encodeToString(new byte[] {0, (byte) 0xFF}))
        .put("valueBase64", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}));
    long before = revision();
    Resp r = put("b", body);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("revision").asLong()).isEqualTo(before + 1);
    assertThat(r.json().get("count").asInt()).isEqualTo(3);
    assertThat(r.json().get("timestamp").asText()).matches("\\d{4}-.*Z");
    KeyValue json = db.get("b", "h-json").orElseThrow();
    assertThat(json.text()).isEqualTo("{\"a\":1}");
    assertThat(json.contentType()).isEqualTo("application/json");
    assertThat(json.revision()).isEqualTo(before + 1);
    assertThat(db.get("b", "h-text").orElseThrow().text()).isEqualTo("héllo");
    KeyValue bin = db.get("b", new byte[] {0, (byte) 0xFF}, io.aiondb.client.Read.linearizable()).orElseThrow();
    assertThat(bin.value()).containsExactly(1, 2, 3);
    assertThat(bin.revision()).isEqualTo(before + 1);
    // writing the keys again makes new versions, at the next revision
    Resp again = put("b", body);
    assertThat(again.json().get("revision").asLong()).isEqualTo(before + 2);
    assertThat(db.get("b", "h-json").orElseThrow().version()).isEqualTo(2);
  }

  @Test
  void httpRefusesHostileBatchesWhole() throws Exception {
    long before = revision();

    Resp empty = put("b", M.readTree("{\"items\": []}"));
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.message()).isEqualTo("a batch needs at least one item");
    assertThat(put("b", "application/json", new byte[0]).message()).contains("needs 'items'");

    Resp tooMany = put("b", items("many", 10_001));
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.message()).contains("at most 10000 items, not 10001");
    noneExist("many", 3);

    String bad7 = M.writeValueAsString(items("bad", 10)).replace("{\"n\":7}", "{\"n\":1e999}");
    assertThat(bad7).contains("1e999");
    Resp badValue = put("b", "application/json", bad7.getBytes(StandardCharsets.UTF_8));
    assertThat(badValue.status()).isEqualTo(400);
    assertThat(badValue.code()).isEqualTo("INVALID_JSON");
    assertThat(badValue.message()).startsWith("item 7: the value: the number at /n is outside the range");
    noneExist("bad", 10);

    ObjectNode deep = items("deep", 10);
    ((ObjectNode) deep.get("items").get(7)).set("value", M.readTree("[".repeat(101) + "]".repeat(101)));
    assertThat(put("b", deep).message()).startsWith("item 7: the value is nested deeper than 100 levels");

    Resp notJson = put("b", "application/json", "{\"items\": [{\"key\": \"x\", \"value\": }]}".getBytes(StandardCharsets.UTF_8));
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.code()).isEqualTo("INVALID_JSON");

    ObjectNode dup = items("dup", 6);
    ((ObjectNode) dup.get("items").get(5)).put("key", "dup2");
    Resp twice = put("b", dup);
    assertThat(twice.status()).isEqualTo(400);
    assertThat(twice.message()).isEqualTo("items 2 and 5 both write key 'dup2'; a batch writes a key at most once");
    noneExist("dup", 6);

    ObjectNode emptyKey = items("ek", 4);
    ((ObjectNode) emptyKey.get("items").get(3)).put("key", "");
    Resp ek = put("b", emptyKey);
    assertThat(ek.code()).isEqualTo("INVALID_KEY");
    assertThat(ek.message()).startsWith("item 3: key must not be empty");

    ObjectNode shape = items("shape", 3);
    ((ObjectNode) shape.get("items").get(1)).put("text", "and a value too");
    assertThat(put("b", shape).message()).isEqualTo("item 1: an item needs exactly one of 'value' (JSON), 'text' or 'valueBase64'");

    // over 4 MiB of keys and values inside a body the HTTP limit still takes: refused naming the item
    ObjectNode large = M.createObjectNode();
    large.putArray("items").addObject().put("key", "large0").put("text", "x".repeat(4 * 1024 * 1024 - 10));
    ((ArrayNode) large.get("items")).addObject().put("key", "large1").put("text", "y".repeat(100));
    Resp tooLarge = put("b", large);
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.code()).isEqualTo("VALUE_TOO_LARGE");
    assertThat(tooLarge.message()).contains("at item 1");
    // a body over the request limit is refused before it is read
    Resp hugeBody = put("b", "application/json", new byte[5 * 1024 * 1024]);
    assertThat(hugeBody.status()).isEqualTo(413);
    noneExist("large", 2);

    assertThat(put("b", "text/plain", "{}".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(415);
    // keys/ (a trailing slash) is still a single put, of the empty key
    HttpResponse<String> slash = http.send(HttpRequest.newBuilder(URI.create(s.url + "/v1/ns/b/keys/"))
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"items\": []}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(slash.statusCode()).isEqualTo(400);
    assertThat(slash.body()).contains("INVALID_KEY");
    Resp noNs = put("nope", items("x", 2));
    assertThat(noNs.status()).isEqualTo(404);
    assertThat(noNs.code()).isEqualTo("NAMESPACE_NOT_FOUND");

    // nothing above moved the revision: one probe write later it is exactly one more
    assertThat(revision()).isEqualTo(before + 1);
  }

  @Test
  void aBatchTheStateMachineRefusesWritesNothing() throws Exception {
    db.createNamespace("uniq");
    HttpResponse<String> idx = http.send(HttpRequest.newBuilder(URI.create(s.url + "/v1/namespaces/uniq/indexes/email"))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"field\":\"$.email\",\"type\":\"string\",\"unique\":true}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(idx.statusCode()).isEqualTo(201);
    db.put("uniq", "taken".getBytes(StandardCharsets.UTF_8), "{\"email\":\"a@x\"}".getBytes(StandardCharsets.UTF_8),
        ValueType.JSON, -1);
    ObjectNode body = M.createObjectNode();
    ArrayNode items = body.putArray("items");
    for (int i = 0; i < 9; i++) items.addObject().put("key", "u" + i).putObject("value").put("email", "u" + i + "@x");
    items.addObject().put("key", "u9").putObject("value").put("email", "a@x"); // the last item takes a used value
    Resp r = put("uniq", body);
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.code()).isEqualTo("UNIQUE_VIOLATION");
    for (int i = 0; i < 10; i++) assertThat(db.get("uniq", "u" + i)).isEmpty();
  }

  @Test
  void theClientWritesABatchAndSeesItsErrors() {
    Map<String, String> texts = new LinkedHashMap<>();
    for (int i = 0; i < 500; i++) texts.put("c" + i, "value " + i);
    BatchResult r = db.putAll("b", texts);
    assertThat(r.count()).isEqualTo(500);
    assertThat(db.get("b", "c0").orElseThrow().revision()).isEqualTo(r.revision());
    assertThat(db.get("b", "c499").orElseThrow().text()).isEqualTo("value 499");

    PutBatch batch = db.putBatch("b").putJson("cj", "{\"ok\":true}").put("ct", "text");
    assertThat(batch.size()).isEqualTo(2);
    assertThat(batch.bytes()).isEqualTo(2 + 11 + 2 + 4);
    assertThat(batch.commit().revision()).isEqualTo(r.revision() + 1);

    PutBatch bad = db.putBatch("b");
    for (int i = 0; i < 7; i++) bad.putJson("cb" + i, "{}");
    bad.putJson("cb7", "{\"unclosed\": ");
    assertThatThrownBy(bad::commit).isInstanceOfSatisfying(AionException.InvalidRequest.class, e -> {
      assertThat(e.code()).isEqualTo("INVALID_JSON");
      assertThat(e.getMessage()).contains("item 7 (key 'cb7'): the value is sent as JSON but is not valid JSON");
    });
    noneExist("cb", 8);
    assertThatThrownBy(() -> db.putBatch("b").commit()).isInstanceOf(AionException.InvalidRequest.class)
        .hasMessageContaining("at least one item");
    assertThatThrownBy(() -> db.putBatch("missing").put("k", "v").commit()).isInstanceOf(AionException.NotFound.class);
  }

  // ------------------------------------------------------------------ the protocol, byte by byte

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

  static byte[] batch(String ns, long count, byte[]... keyValues) {
    Frames.Out o = new Frames.Out().string(ns).u32(count);
    for (byte[] kv : keyValues) o.bytes(kv).u8(2).bytes(kv);
    return o.bytesOut();
  }

  static byte[] b(String x) {
    return x.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void protocolFramesFollowTheDocument() throws Exception {
    String[] hp = s.protocolAddress.split(":");
    try (Socket sock = new Socket(hp[0], Integer.parseInt(hp[1]))) {
      sock.setSoTimeout(10_000);
      OutputStream out = sock.getOutputStream();
      DataInputStream in = new DataInputStream(sock.getInputStream());
      out.write(Frames.frame(1, Frames.HELLO, Requests.hello("raw")));
      assertThat(read(in).kind()).isEqualTo(Frames.OK);

      out.write(Frames.frame(2, Frames.PUT_BATCH, batch("b", 2, b("p1"), b("p2"))));
      Answer ok = read(in);
      assertThat(ok.kind()).isEqualTo(Frames.OK);
      Frames.In r = new Frames.In(ok.payload());
      long revision = r.i64();
      assertThat(r.i64()).isPositive(); // timestampMillis
      assertThat(r.u32()).isEqualTo(2);
      assertThat(db.get("b", "p2").orElseThrow().revision()).isEqualTo(revision);

      // invalid but well-formed: an ERROR, and the connection keeps serving
      out.write(Frames.frame(3, Frames.PUT_BATCH, batch("b", 0)));
      assertThat(read(in).error()).isEqualTo("BAD_REQUEST: a batch needs at least one item");
      out.write(Frames.frame(4, Frames.PUT_BATCH, batch("b", 10_001)));
      assertThat(read(in).error()).startsWith("BAD_REQUEST: a batch has at most 10000 items, not 10001");
      out.write(Frames.frame(5, Frames.PUT_BATCH, batch("b", 3, b("q1"), b("q2"), b("q1"))));
      assertThat(read(in).error()).isEqualTo("BAD_REQUEST: items 0 and 2 both write key 'q1'; a batch writes a key at most once");
      Frames.Out badUtf8 = new Frames.Out().string("b").u32(2).bytes(b("r1")).u8(2).bytes(b("fine"))
          .bytes(b("r2")).u8(2).bytes(new byte[] {(byte) 0xC3});
      out.write(Frames.frame(6, Frames.PUT_BATCH, badUtf8.bytesOut()));
      assertThat(read(in).error()).isEqualTo("BAD_REQUEST: item 1 (key 'r2'): a text/plain value must be valid UTF-8");
      assertThat(db.get("b", "q1")).isEmpty();
      assertThat(db.get("b", "r1")).isEmpty();
      out.write(Frames.frame(7, Frames.PING, new byte[0]));
      assertThat(read(in).kind()).isEqualTo(Frames.OK);

      // a count larger than the items sent is malformed: ERROR, then the connection closes
      out.write(Frames.frame(8, Frames.PUT_BATCH, batch("b", 3, b("t1"), b("t2"))));
      Answer malformed = read(in);
      assertThat(malformed.id()).isEqualTo(8);
      assertThat(malformed.error()).contains("malformed");
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(db.get("b", "t1")).isEmpty();
  }
}
