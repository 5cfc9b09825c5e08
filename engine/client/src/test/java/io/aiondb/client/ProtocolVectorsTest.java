package io.aiondb.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.client.protocol.Frames;
import io.aiondb.client.protocol.Requests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client's side of docs/protocol.md's test vectors: it encodes the requests and decodes the responses exactly. */
class ProtocolVectorsTest {
  static Map<String, byte[]> vectors;

  @BeforeAll
  static void load() throws Exception {
    String md = Files.readString(Path.of("../../docs/protocol.md"));
    vectors = new LinkedHashMap<>();
    Matcher m = Pattern.compile("```hex\\n# (\\S+)\\n(.*?)```", Pattern.DOTALL).matcher(md);
    while (m.find()) vectors.put(m.group(1), HexFormat.of().parseHex(m.group(2).replaceAll("\\s", "")));
    assertThat(vectors).hasSizeGreaterThanOrEqualTo(19);
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static void expect(String name, byte[] frame) {
    assertThat(HexFormat.of().formatHex(frame)).as(name).isEqualTo(HexFormat.of().formatHex(vectors.get(name)));
  }

  /** The payload of a response vector, after checking its id and kind. */
  static byte[] payload(String name, long id, int kind) {
    byte[] f = vectors.get(name);
    assertThat(((f[0] & 0xFFL) << 24 | (f[1] & 0xFF) << 16 | (f[2] & 0xFF) << 8 | (f[3] & 0xFF))).isEqualTo(f.length - 4);
    assertThat(((f[4] & 0xFFL) << 24 | (f[5] & 0xFF) << 16 | (f[6] & 0xFF) << 8 | (f[7] & 0xFF))).isEqualTo(id);
    assertThat(f[8] & 0xFF).isEqualTo(kind);
    return Arrays.copyOfRange(f, 9, f.length);
  }

  @Test
  void encodesTheRequests() {
    expect("hello-request", Frames.frame(1, Frames.HELLO, Requests.hello("aion-java/0.1")));
    expect("auth-request", Frames.frame(2, Frames.AUTH, Requests.auth("v1.k1.abc.def")));
    expect("get-request", Frames.frame(2, Frames.GET, Requests.get("app", b("user/1"), 0, false, 0)));
    expect("put-request", Frames.frame(3, Frames.PUT, Requests.put("app", b("k"), ValueType.TEXT.code, -1, b("hi"))));
    expect("traced-put-request", Frames.frame(3, Frames.TRACED, Frames.traced(
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "", Frames.PUT,
        Requests.put("app", b("k"), ValueType.TEXT.code, -1, b("hi")))));
    expect("delete-request", Frames.frame(4, Frames.DELETE, Requests.delete("app", b("k"), 5)));
    Txn t = new Txn(null).ifModRevision("app", "k", 5).then(Txn.put("app", "k", "v")).otherwise(Txn.get("app", "k"));
    expect("txn-request", Frames.frame(5, Frames.TXN, t.encode()));
    expect("watch-request", Frames.frame(6, Frames.WATCH, Requests.watch("app", true, b("user/"), 10)));
    expect("cancel-request", Frames.frame(7, Frames.CANCEL, Requests.cancel(6)));
    expect("query-request", Frames.frame(8, Frames.QUERY, Requests.query("app", false, 0, b("{\"prefix\":\"user/\",\"limit\":2}"))));
    expect("cluster-request", Frames.frame(9, Frames.CLUSTER, new byte[0]));
    PutBatch batch = new PutBatch(null, "app").put("a", "1").putJson("b", "{}");
    expect("put-batch-request", Frames.frame(10, Frames.PUT_BATCH, batch.encode()));
  }

  @Test
  void decodesTheResponses() {
    Frames.In hello = new Frames.In(payload("hello-response", 1, Frames.OK));
    assertThat(hello.u8()).isEqualTo(1);
    assertThat(hello.string()).isEqualTo("aion-1");
    assertThat(hello.string()).isEqualTo("0.1.0");

    Frames.In get = new Frames.In(payload("get-response", 2, Frames.OK));
    assertThat(get.bool()).isTrue();
    Aion.RawVersion v = Aion.RawVersion.read(get);
    assertThat(get.i64()).isEqualTo(9);
    assertThat(get.done()).isTrue();
    KeyValue kv = v.keyValue(9);
    assertThat(kv.text()).isEqualTo("{\"a\":1}");
    assertThat(kv.contentType()).isEqualTo("application/json");
    assertThat(kv.revision()).isEqualTo(7);
    assertThat(kv.createRevision()).isEqualTo(3);
    assertThat(kv.version()).isEqualTo(2);
    assertThat(kv.timestamp()).isEqualTo("2026-01-01T00:00:00Z");

    Frames.In missing = new Frames.In(payload("get-missing-response", 2, Frames.OK));
    assertThat(missing.bool()).isFalse();
    assertThat(missing.i64()).isEqualTo(9);

    Frames.In put = new Frames.In(payload("put-response", 3, Frames.OK));
    assertThat(new long[] {put.i64(), put.i64(), put.i64(), put.i64()}).containsExactly(10, 10, 1, 1767225600000L);

    Frames.In err = new Frames.In(payload("error-response", 4, Frames.ERROR));
    AionException e = AionException.of(err.string(), err.string());
    assertThat(e).isInstanceOf(AionException.Conflict.class);
    assertThat(e.code()).isEqualTo("REVISION_MISMATCH");
    assertThat(e.getMessage()).contains("expected mod revision 5 but the key is at mod revision 10");

    TxnResult txn = Aion.txnResult(payload("txn-response", 5, Frames.OK));
    assertThat(txn.succeeded()).isTrue();
    assertThat(txn.revision()).isEqualTo(11);
    assertThat(txn.results()).containsExactly(new TxnResult.PutResult(11, 10, 2));

    Watch.Event change = Watch.decode(payload("watch-change-event", 6, Frames.EVENT));
    assertThat(change.revision()).isEqualTo(12);
    assertThat(change.events()).hasSize(1);
    assertThat(change.events().getFirst().keyText()).isEqualTo("user/1");
    assertThat(change.events().getFirst().value().text()).isEqualTo("x");
    assertThat(change.events().getFirst().deleted()).isFalse();
    Watch.Event progress = Watch.decode(payload("watch-progress-event", 6, Frames.EVENT));
    assertThat(progress.revision()).isEqualTo(12);
    assertThat(progress.events()).isNull();
    assertThat(payload("watch-end", 6, Frames.END)).isEmpty();

    assertThat(Aion.batchResult(payload("put-batch-response", 10, Frames.OK)))
        .isEqualTo(new BatchResult(13, 2, "2026-01-01T00:00:00Z"));

    Frames.In cluster = new Frames.In(payload("cluster-response", 9, Frames.OK));
    assertThat(cluster.string()).isEqualTo("aion-1");
    assertThat(cluster.u16()).isEqualTo(1);
    assertThat(cluster.string()).isEqualTo("aion-1");
    assertThat(cluster.u8()).isZero();
    assertThat(cluster.string()).isEqualTo("127.0.0.1");
    assertThat(cluster.u16()).isEqualTo(7071);
    assertThat(cluster.u16()).isEqualTo(7070);
    assertThat(cluster.done()).isTrue();
  }
}
