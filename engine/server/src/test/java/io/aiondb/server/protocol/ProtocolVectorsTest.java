package io.aiondb.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.consensus.ReadConsistency;
import io.aiondb.server.protocol.ProtocolCodec.Request;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.Compare;
import io.aiondb.server.state.TxnOp;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.VersionRecord;
import io.aiondb.server.watch.WatchEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server's side of docs/protocol.md's test vectors: it decodes the requests and encodes the responses exactly. */
class ProtocolVectorsTest {
  static final long TS = 1767225600000L;
  static Map<String, byte[]> vectors;

  /** Every ```hex block of the document, by the name on its first line. */
  static Map<String, byte[]> load() throws Exception {
    String md = Files.readString(Path.of("../../docs/protocol.md"));
    Map<String, byte[]> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("```hex\\n# (\\S+)\\n(.*?)```", Pattern.DOTALL).matcher(md);
    while (m.find()) out.put(m.group(1), HexFormat.of().parseHex(m.group(2).replaceAll("\\s", "")));
    return out;
  }

  @BeforeAll
  static void read() throws Exception {
    vectors = load();
    assertThat(vectors).hasSizeGreaterThanOrEqualTo(19);
  }

  record Frame(long id, int kind, byte[] payload) {}

  static Frame frame(String name) {
    byte[] f = vectors.get(name);
    assertThat(f).as(name).isNotNull();
    ByteBuffer b = ByteBuffer.wrap(f);
    long len = b.getInt() & 0xFFFFFFFFL;
    assertThat(len).as("length field of " + name).isEqualTo(f.length - 4);
    long id = b.getInt() & 0xFFFFFFFFL;
    int kind = b.get() & 0xFF;
    return new Frame(id, kind, Arrays.copyOfRange(f, 9, f.length));
  }

  static Request request(String name, long id, int kind) {
    Frame f = frame(name);
    assertThat(f.id()).isEqualTo(id);
    assertThat(f.kind()).isEqualTo(kind);
    return ProtocolCodec.decode(f.kind(), f.payload());
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void decodesTheRequests() {
    assertThat(request("hello-request", 1, ProtocolCodec.HELLO)).isEqualTo(new Request.Hello(1, "aion-java/0.1"));
    assertThat(request("auth-request", 2, ProtocolCodec.AUTH)).isEqualTo(new Request.Auth("v1.k1.abc.def"));
    Request.Get get = (Request.Get) request("get-request", 2, ProtocolCodec.GET);
    assertThat(get.namespace()).isEqualTo("app");
    assertThat(get.key()).isEqualTo(b("user/1"));
    assertThat(get.revision()).isZero();
    assertThat(get.consistency()).isEqualTo(ReadConsistency.LINEARIZABLE);
    assertThat(get.minRevision()).isZero();
    Command.Put put = ((Request.Put) request("put-request", 3, ProtocolCodec.PUT)).command();
    // TRACED: the trace context, then the PUT's own kind and payload
    Frame traced = frame("traced-put-request");
    assertThat(traced.id()).isEqualTo(3);
    assertThat(traced.kind()).isEqualTo(ProtocolCodec.TRACED);
    ProtocolCodec.Traced t = ProtocolCodec.decodeTraced(traced.payload());
    assertThat(t.traceparent()).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    assertThat(t.tracestate()).isEmpty();
    assertThat(t.kind()).isEqualTo(ProtocolCodec.PUT);
    assertThat(t.payload()).isEqualTo(frame("put-request").payload());
    assertThat(ProtocolCodec.traced(t.traceparent(), "", ProtocolCodec.PUT, frame("put-request").payload()))
        .isEqualTo(traced.payload());
    assertThat(put.namespace()).isEqualTo("app");
    assertThat(put.key()).isEqualTo(b("k"));
    assertThat(put.value()).isEqualTo(b("hi"));
    assertThat(put.contentType()).isEqualTo(ContentType.TEXT);
    assertThat(put.expectedRevision()).isEqualTo(-1);
    Command.Delete del = ((Request.Delete) request("delete-request", 4, ProtocolCodec.DELETE)).command();
    assertThat(del.namespace()).isEqualTo("app");
    assertThat(del.key()).isEqualTo(b("k"));
    assertThat(del.expectedRevision()).isEqualTo(5);
    assertThat(((Request.Txn) request("txn-request", 5, ProtocolCodec.TXN)).command()).isEqualTo(new Command.Txn(
        List.of(Compare.numeric("app", b("k"), Compare.Target.MOD_REVISION, Compare.Op.EQ, 5)),
        List.of(new TxnOp.Put("app", b("k"), b("v"), ContentType.TEXT)),
        List.of(new TxnOp.Get("app", b("k")))));
    var watch = ((Request.Watch) request("watch-request", 6, ProtocolCodec.WATCH)).spec();
    assertThat(watch.namespace()).isEqualTo("app");
    assertThat(watch.prefix()).isTrue();
    assertThat(watch.key()).isEqualTo(b("user/"));
    assertThat(watch.fromRevision()).isEqualTo(10);
    assertThat(request("cancel-request", 7, ProtocolCodec.CANCEL)).isEqualTo(new Request.Cancel(6));
    Request.Query q = (Request.Query) request("query-request", 8, ProtocolCodec.QUERY);
    assertThat(new String(q.json(), StandardCharsets.UTF_8)).isEqualTo("{\"prefix\":\"user/\",\"limit\":2}");
    assertThat(request("cluster-request", 9, ProtocolCodec.CLUSTER)).isEqualTo(new Request.Cluster());
    Command.PutAll batch = ((Request.PutBatch) request("put-batch-request", 10, ProtocolCodec.PUT_BATCH)).command();
    assertThat(batch.namespace()).isEqualTo("app");
    assertThat(batch.items()).hasSize(2);
    assertThat(batch.items().get(0).key()).isEqualTo(b("a"));
    assertThat(batch.items().get(0).value()).isEqualTo(b("1"));
    assertThat(batch.items().get(0).contentType()).isEqualTo(ContentType.TEXT);
    assertThat(batch.items().get(1).key()).isEqualTo(b("b"));
    assertThat(batch.items().get(1).value()).isEqualTo(b("{}"));
    assertThat(batch.items().get(1).contentType()).isEqualTo(ContentType.JSON);
  }

  @Test
  void encodesTheResponses() {
    VersionRecord v = new VersionRecord(7, 3, 2, 0, TS, false, ContentType.JSON, b("{\"a\":1}"));
    expect("hello-response", ProtocolCodec.frame(1, ProtocolCodec.OK, ProtocolCodec.hello("aion-1", "0.1.0")));
    expect("auth-response", ProtocolCodec.frame(2, ProtocolCodec.OK, new Wire.Writer().string("user:root").toByteArray()));
    expect("get-response", ProtocolCodec.frame(2, ProtocolCodec.OK, ProtocolCodec.get(v, 9)));
    expect("get-missing-response", ProtocolCodec.frame(2, ProtocolCodec.OK, ProtocolCodec.get(null, 9)));
    expect("put-response", ProtocolCodec.frame(3, ProtocolCodec.OK, ProtocolCodec.written(new ApplyResult.Written(10, 10, 1, TS))));
    expect("error-response", ProtocolCodec.frame(4, ProtocolCodec.ERROR,
        ProtocolCodec.error(ErrorCode.REVISION_MISMATCH, "expected mod revision 5 but the key is at mod revision 10")));
    expect("txn-response", ProtocolCodec.frame(5, ProtocolCodec.OK, ProtocolCodec.txn(
        new ApplyResult.TxnDone(true, 11, TS, List.of(new ApplyResult.OpResult.Put(11, 10, 2))))));
    expect("watch-change-event", ProtocolCodec.frame(6, ProtocolCodec.EVENT, ProtocolCodec.change(12,
        List.of(new WatchEvent(b("user/1"), new VersionRecord(12, 12, 1, 0, TS, false, ContentType.TEXT, b("x")))))));
    expect("watch-progress-event", ProtocolCodec.frame(6, ProtocolCodec.EVENT, ProtocolCodec.progress(12)));
    expect("watch-end", ProtocolCodec.frame(6, ProtocolCodec.END, new byte[0]));
    expect("put-batch-response", ProtocolCodec.frame(10, ProtocolCodec.OK,
        ProtocolCodec.batchWritten(new ApplyResult.BatchWritten(13, 2, TS))));
    expect("cluster-response", ProtocolCodec.frame(9, ProtocolCodec.OK, ProtocolCodec.cluster("aion-1",
        List.of(new ProtocolCodec.Member("aion-1", 0, "127.0.0.1", 7071, 7070)))));
  }

  private static void expect(String name, byte[] actual) {
    assertThat(HexFormat.of().formatHex(actual)).as(name).isEqualTo(HexFormat.of().formatHex(vectors.get(name)));
  }

  @Test
  void aTracedFrameWithABadContextOrWrappingHelloOrItselfIsMalformed() {
    byte[] put = frame("put-request").payload();
    String good = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    assertThat(ProtocolCodec.decodeTraced(ProtocolCodec.traced("", "", ProtocolCodec.PUT, put)).traceparent()).isEmpty();
    for (String bad : new String[] {"00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", "01-xyz", good + "x"}) {
      assertThatThrownBy(() -> ProtocolCodec.decodeTraced(ProtocolCodec.traced(bad, "", ProtocolCodec.PUT, put)))
          .as(bad).isInstanceOf(Wire.Malformed.class).hasMessageContaining("traceparent");
    }
    assertThatThrownBy(() -> ProtocolCodec.decodeTraced(ProtocolCodec.traced(good, "x".repeat(513), ProtocolCodec.PUT, put)))
        .isInstanceOf(Wire.Malformed.class).hasMessageContaining("tracestate");
    for (int kind : new int[] {ProtocolCodec.HELLO, ProtocolCodec.TRACED}) {
      assertThatThrownBy(() -> ProtocolCodec.decodeTraced(ProtocolCodec.traced(good, "", kind, put)))
          .isInstanceOf(Wire.Malformed.class).hasMessageContaining("cannot wrap");
    }
    byte[] cut = ProtocolCodec.traced(good, "", ProtocolCodec.PUT, put);
    assertThatThrownBy(() -> ProtocolCodec.decodeTraced(Arrays.copyOf(cut, 20))).isInstanceOf(Wire.Malformed.class);
  }

  @Test
  void layoutErrorsAreMalformedAndContentErrorsAreNot() {
    byte[] put = frame("put-request").payload();
    for (int cut = 0; cut < put.length; cut++) {
      byte[] shorter = Arrays.copyOf(put, cut);
      assertThatThrownBy(() -> ProtocolCodec.decode(ProtocolCodec.PUT, shorter)).as("cut at " + cut).isInstanceOf(Wire.Malformed.class);
    }
    byte[] longer = Arrays.copyOf(put, put.length + 1);
    assertThatThrownBy(() -> ProtocolCodec.decode(ProtocolCodec.PUT, longer)).isInstanceOf(Wire.Malformed.class);
    byte[] badType = put.clone();
    badType[10] = 9; // contentType
    assertThatThrownBy(() -> ProtocolCodec.decode(ProtocolCodec.PUT, badType)).isInstanceOf(Wire.Malformed.class);
    byte[] hugeLength = frame("get-request").payload().clone();
    hugeLength[5] = (byte) 0x7F; // key length 0x7F000006
    assertThatThrownBy(() -> ProtocolCodec.decode(ProtocolCodec.GET, hugeLength)).isInstanceOf(Wire.Malformed.class);
    byte[] badUtf8 = frame("get-request").payload().clone();
    badUtf8[2] = (byte) 0xC3; // "app" -> an unfinished two-byte sequence
    assertThatThrownBy(() -> ProtocolCodec.decode(ProtocolCodec.GET, badUtf8)).isInstanceOf(Wire.Malformed.class);
    byte[] badMagic = frame("hello-request").payload().clone();
    badMagic[0] = 'X';
    assertThatThrownBy(() -> ProtocolCodec.decode(ProtocolCodec.HELLO, badMagic)).isInstanceOf(Wire.Malformed.class);

    // well-formed but invalid: a plain error, the connection stays
    byte[] emptyKey = new Wire.Writer().string("app").bytes(new byte[0]).i64(0).u8(0).i64(0).toByteArray();
    assertThatThrownBy(() -> ProtocolCodec.decode(ProtocolCodec.GET, emptyKey))
        .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_KEY));
    byte[] badNs = new Wire.Writer().string("Bad NS").bytes(b("k")).i64(0).u8(0).i64(0).toByteArray();
    assertThatThrownBy(() -> ProtocolCodec.decode(ProtocolCodec.GET, badNs))
        .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_NAMESPACE));
    byte[] badJson = new Wire.Writer().string("app").bytes(b("k")).u8(1).i64(-1).bytes(b("{\"a\":")).toByteArray();
    assertThatThrownBy(() -> ProtocolCodec.decode(ProtocolCodec.PUT, badJson))
        .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON));
    byte[] twoJson = new Wire.Writer().string("app").bytes(b("k")).u8(1).i64(-1).bytes(b("1 2")).toByteArray();
    assertThatThrownBy(() -> ProtocolCodec.decode(ProtocolCodec.PUT, twoJson)).isInstanceOf(AionException.class);
    byte[] badText = new Wire.Writer().string("app").bytes(b("k")).u8(2).i64(-1).bytes(new byte[] {(byte) 0xC3}).toByteArray();
    assertThatThrownBy(() -> ProtocolCodec.decode(ProtocolCodec.PUT, badText)).isInstanceOf(AionException.class);
    assertThatThrownBy(() -> ProtocolCodec.decode(0x7F, new byte[0]))
        .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.getMessage()).contains("unknown request kind"));
  }
}
