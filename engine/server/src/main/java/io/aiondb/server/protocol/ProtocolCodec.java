package io.aiondb.server.protocol;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.consensus.ReadConsistency;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.Compare;
import io.aiondb.server.state.TxnOp;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.VersionRecord;
import io.aiondb.server.watch.WatchEvent;
import io.aiondb.server.watch.WatchSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Byte layouts of docs/protocol.md: request payloads in, response payloads and frames out. Layout errors throw
 * {@link Wire.Malformed}; well-formed requests with invalid content throw {@code AionException} (from the same
 * validation the HTTP API uses).
 */
public final class ProtocolCodec {
  public static final int VERSION = 1;
  public static final byte[] MAGIC = "AION".getBytes(StandardCharsets.US_ASCII);
  /** The largest frame length (the u32 before id, kind and payload) either side accepts. */
  public static final int MAX_FRAME = 16 << 20;
  /** id (4) + kind (1). */
  public static final int HEADER = 5;

  // request kinds
  public static final int HELLO = 0x01, PING = 0x02, GET = 0x03, PUT = 0x04, DELETE = 0x05, TXN = 0x06, QUERY = 0x07,
      WATCH = 0x08, CANCEL = 0x09, CLUSTER = 0x0A, NS_CREATE = 0x0B, NS_DROP = 0x0C, NS_LIST = 0x0D, HISTORY = 0x0E,
      PUT_BATCH = 0x0F, AUTH = 0x10, TRACED = 0x11;
  // response kinds
  public static final int OK = 0x00, ERROR = 0x01, EVENT = 0x02, END = 0x03;

  private ProtocolCodec() {}

  /** A decoded request. */
  public sealed interface Request {
    record Hello(int version, String client) implements Request {}

    record Ping() implements Request {}

    record Get(String namespace, byte[] key, long revision, ReadConsistency consistency, long minRevision)
        implements Request {}

    record Put(Command.Put command) implements Request {}

    record Delete(Command.Delete command) implements Request {}

    record PutBatch(Command.PutAll command) implements Request {}

    record Txn(Command.Txn command) implements Request {}

    record Query(String namespace, ReadConsistency consistency, long minRevision, byte[] json) implements Request {}

    record Watch(WatchSpec spec) implements Request {}

    record Cancel(long target) implements Request {}

    record Cluster() implements Request {}

    record NamespaceCreate(String namespace) implements Request {}

    record NamespaceDrop(String namespace) implements Request {}

    record NamespaceList() implements Request {}

    /** A bearer token (docs/security.md) for the requests that follow on this connection. */
    record Auth(String token) implements Request {
      @Override
      public String toString() {
        return "Auth[token=…]"; // never in logs
      }
    }

    record History(String namespace, byte[] key, int limit, long before) implements Request {}
  }

  /** The largest payload of one frame. */
  public static final int MAX_PAYLOAD = MAX_FRAME - HEADER;

  /**
   * A TRACED frame's payload (docs/protocol.md): the W3C trace context of the request it wraps, and that request's
   * kind and payload. {@code traceparent} is 55 characters ({@code 00-<32 hex>-<16 hex>-<2 hex>}) or empty (no
   * context: a trace of the server's own); {@code tracestate} at most 512 characters.
   */
  public record Traced(String traceparent, String tracestate, int kind, byte[] payload) {}

  /** Reads a TRACED payload; a wrapped HELLO or TRACED, or a malformed traceparent, is a malformed frame. */
  public static Traced decodeTraced(byte[] payload) {
    Wire.Reader r = new Wire.Reader(payload);
    String parent = r.string("traceparent");
    if (!parent.isEmpty() && !TRACEPARENT.matcher(parent).matches()) {
      throw new Wire.Malformed("traceparent must be 00-<32 hex digits>-<16 hex digits>-<2 hex digits>, or empty");
    }
    String state = r.string("tracestate");
    if (state.length() > 512) throw new Wire.Malformed("tracestate is longer than 512 characters");
    int kind = r.u8("kind");
    if (kind == HELLO || kind == TRACED) {
      throw new Wire.Malformed("a TRACED frame cannot wrap a " + (kind == HELLO ? "HELLO" : "TRACED"));
    }
    return new Traced(parent, state, kind, r.rest());
  }

  private static final java.util.regex.Pattern TRACEPARENT =
      java.util.regex.Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

  /** A TRACED payload wrapping {@code kind} and {@code payload} (what a client sends). */
  public static byte[] traced(String traceparent, String tracestate, int kind, byte[] payload) {
    return new Wire.Writer().string(traceparent).string(tracestate).u8(kind).raw(payload).toByteArray();
  }

  /** {@link #decodeLayout} then {@link #checkContents}: the whole validation of one request. */
  public static Request decode(int kind, byte[] payload) {
    return checkContents(decodeLayout(kind, payload));
  }

  /**
   * The request's layout and cheap checks (sizes, names, enums), without reading values: cheap enough for the
   * event loop. {@link #checkContents} validates JSON and text values, which costs time in proportion to their size.
   */
  public static Request decodeLayout(int kind, byte[] payload) {
    Wire.Reader r = new Wire.Reader(payload);
    Request req = switch (kind) {
      case HELLO -> {
        byte[] magic = new byte[4];
        for (int i = 0; i < 4; i++) magic[i] = (byte) r.u8("magic");
        if (!Arrays.equals(magic, MAGIC)) throw new Wire.Malformed("a HELLO starts with the magic bytes 'AION'");
        yield new Request.Hello(r.u8("version"), r.string("client name"));
      }
      case PING -> new Request.Ping();
      case GET -> {
        String ns = namespace(r);
        byte[] key = r.bytes("key");
        Command.validateKey(key);
        long revision = nonNegative(r.i64("revision"), "revision");
        ReadConsistency c = consistency(r);
        yield new Request.Get(ns, key, revision, c, nonNegative(r.i64("minRevision"), "minRevision"));
      }
      case PUT -> {
        String ns = r.string("namespace");
        byte[] key = r.bytes("key");
        ContentType ct = contentType(r);
        long expected = r.i64("expectedRevision");
        byte[] value = r.bytes("value");
        yield new Request.Put(new Command.Put(ns, key, value, ct, expected));
      }
      case DELETE -> {
        String ns = r.string("namespace");
        byte[] key = r.bytes("key");
        long expected = r.i64("expectedRevision");
        if (expected == 0) throw new AionException(ErrorCode.BAD_REQUEST, "a delete cannot expect revision 0");
        yield new Request.Delete(new Command.Delete(ns, key, expected));
      }
      case TXN -> new Request.Txn(txn(r));
      case PUT_BATCH -> new Request.PutBatch(putBatch(r));
      case QUERY -> {
        String ns = namespace(r);
        ReadConsistency c = consistency(r);
        long min = nonNegative(r.i64("minRevision"), "minRevision");
        yield new Request.Query(ns, c, min, r.bytes("query"));
      }
      case WATCH -> {
        String ns = r.string("namespace");
        boolean prefix = r.bool("prefix");
        byte[] key = r.bytes("key");
        yield new Request.Watch(new WatchSpec(ns, key, prefix, r.i64("fromRevision")));
      }
      case CANCEL -> new Request.Cancel(r.u32("target id"));
      case CLUSTER -> new Request.Cluster();
      case NS_CREATE -> new Request.NamespaceCreate(namespace(r));
      case NS_DROP -> new Request.NamespaceDrop(namespace(r));
      case NS_LIST -> new Request.NamespaceList();
      case AUTH -> {
        String token = r.string("token");
        if (token.isEmpty() || token.length() > 4096) throw new Wire.Malformed("a token has 1 to 4096 characters");
        yield new Request.Auth(token);
      }
      case HISTORY -> {
        String ns = namespace(r);
        byte[] key = r.bytes("key");
        Command.validateKey(key);
        long limit = r.u32("limit");
        if (limit < 1 || limit > 1000) throw new AionException(ErrorCode.BAD_REQUEST, "history limit must be 1..1000, not " + limit);
        yield new Request.History(ns, key, (int) limit, nonNegative(r.i64("before"), "before"));
      }
      default -> throw new AionException(ErrorCode.BAD_REQUEST, "unknown request kind 0x" + Integer.toHexString(kind));
    };
    r.end();
    return req;
  }

  /** Validates the values a request carries (JSON must parse, text must be UTF-8); returns the request. */
  public static Request checkContents(Request req) {
    switch (req) {
      case Request.Put p -> checkContent(p.command().contentType(), p.command().value());
      case Request.PutBatch b -> io.aiondb.server.state.Values.validate(b.command());
      case Request.Txn t -> {
        for (TxnOp op : t.command().success()) if (op instanceof TxnOp.Put p) checkContent(p.contentType(), p.value());
        for (TxnOp op : t.command().failure()) if (op instanceof TxnOp.Put p) checkContent(p.contentType(), p.value());
      }
      default -> { }
    }
    return req;
  }

  /** Bytes of JSON or text values {@link #checkContents} reads: a measure of its cost. */
  public static long contentBytes(Request req) {
    long n = 0;
    switch (req) {
      case Request.Put p -> n = p.command().contentType() == ContentType.OCTET_STREAM ? 0 : p.command().value().length;
      case Request.PutBatch b -> n = io.aiondb.server.state.Values.contentBytes(b.command());
      case Request.Txn t -> {
        for (TxnOp op : t.command().success()) if (op instanceof TxnOp.Put p && p.contentType() != ContentType.OCTET_STREAM) n += p.value().length;
        for (TxnOp op : t.command().failure()) if (op instanceof TxnOp.Put p && p.contentType() != ContentType.OCTET_STREAM) n += p.value().length;
      }
      case Request.Query q -> n = q.json().length;
      default -> { }
    }
    return n;
  }

  private static String namespace(Wire.Reader r) {
    String ns = r.string("namespace");
    Command.validateNamespace(ns);
    return ns;
  }

  private static long nonNegative(long v, String what) {
    if (v < 0) throw new AionException(ErrorCode.BAD_REQUEST, what + " must be >= 0, not " + v);
    return v;
  }

  private static ReadConsistency consistency(Wire.Reader r) {
    int c = r.u8("consistency");
    return switch (c) {
      case 0 -> ReadConsistency.LINEARIZABLE;
      case 1 -> ReadConsistency.STALE;
      default -> throw new Wire.Malformed("consistency must be 0 (linearizable) or 1 (stale), not " + c);
    };
  }

  /** The same content rules as the HTTP API ({@link io.aiondb.server.state.Values}). */
  static byte[] checkContent(ContentType ct, byte[] value) {
    return io.aiondb.server.state.Values.validate(ct, value);
  }

  private static ContentType contentType(Wire.Reader r) {
    int c = r.u8("contentType");
    if (c > 2) throw new Wire.Malformed("contentType must be 0, 1 or 2, not " + c);
    return ContentType.of((byte) c);
  }

  private static Command.Txn txn(Wire.Reader r) {
    int n = r.u16("compare count");
    if (n > Command.MAX_TXN_COMPARES) throw new AionException(ErrorCode.BAD_REQUEST, "a transaction has at most " + Command.MAX_TXN_COMPARES + " compares");
    List<Compare> compares = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String ns = r.string("compare namespace");
      byte[] key = r.bytes("compare key");
      int target = r.u8("compare target");
      int op = r.u8("compare op");
      if (target > 3) throw new Wire.Malformed("compare target must be 0..3, not " + target);
      if (op > 3) throw new Wire.Malformed("compare op must be 0..3, not " + op);
      long number = r.i64("compare number");
      byte[] value = r.bool("compare has value") ? r.bytes("compare value") : null;
      compares.add(new Compare(ns, key, Compare.Target.values()[target], Compare.Op.values()[op], number, value));
    }
    return new Command.Txn(compares, ops(r), ops(r));
  }

  private static Command.PutAll putBatch(Wire.Reader r) {
    String ns = namespace(r);
    long n = r.u32("item count");
    if (n > Command.MAX_BATCH_ITEMS) {
      throw new AionException(ErrorCode.BAD_REQUEST, "a batch has at most " + Command.MAX_BATCH_ITEMS + " items, not "
          + n + "; split it");
    }
    List<Command.PutAll.Item> items = new ArrayList<>((int) n);
    for (int i = 0; i < n; i++) {
      byte[] key = r.bytes("key");
      ContentType ct = contentType(r);
      items.add(new Command.PutAll.Item(key, r.bytes("value"), ct));
    }
    return new Command.PutAll(ns, items);
  }

  private static List<TxnOp> ops(Wire.Reader r) {
    int n = r.u16("operation count");
    if (n > Command.MAX_TXN_OPS) throw new AionException(ErrorCode.BAD_REQUEST, "a transaction branch has at most " + Command.MAX_TXN_OPS + " operations");
    List<TxnOp> ops = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int type = r.u8("operation type");
      ops.add(switch (type) {
        case 1 -> {
          String ns = r.string("namespace");
          byte[] key = r.bytes("key");
          ContentType ct = contentType(r);
          yield new TxnOp.Put(ns, key, r.bytes("value"), ct);
        }
        case 2 -> new TxnOp.Delete(r.string("namespace"), r.bytes("key"));
        case 3 -> new TxnOp.Get(r.string("namespace"), r.bytes("key"));
        case 4 -> {
          String ns = r.string("namespace");
          byte[] from = r.bytes("from");
          byte[] to = r.bool("has to") ? r.bytes("to") : null;
          long limit = r.u32("limit");
          yield new TxnOp.Range(ns, from, to, (int) Math.min(limit, Integer.MAX_VALUE));
        }
        default -> throw new Wire.Malformed("operation type must be 1..4, not " + type);
      });
    }
    return ops;
  }

  // ------------------------------------------------------------------ responses

  public static byte[] frame(long id, int kind, byte[] payload) {
    return new Wire.Writer().u32(HEADER + payload.length).u32(id).u8(kind).raw(payload).toByteArray();
  }

  public static byte[] error(ErrorCode code, String message) {
    String m = message == null ? "" : message;
    if (m.length() > 4000) m = m.substring(0, 4000);
    return new Wire.Writer().string(code.name()).string(m).toByteArray();
  }

  public static byte[] hello(String nodeId, String serverVersion) {
    return new Wire.Writer().u8(VERSION).string(nodeId).string(serverVersion).toByteArray();
  }

  static void version(Wire.Writer w, VersionRecord v) {
    w.i64(v.revision()).i64(v.createRevision()).i64(v.version()).i64(v.timestampMillis()).bool(v.tombstone())
        .u8(v.contentType().code()).bytes(v.value());
  }

  /** Bytes of {@link #version}'s layout for {@code v}. */
  public static long versionSize(VersionRecord v) {
    return 8 * 4 + 1 + 1 + 4 + v.value().length;
  }

  public static byte[] get(VersionRecord v, long readRevision) {
    Wire.Writer w = new Wire.Writer().bool(v != null);
    if (v != null) version(w, v);
    return w.i64(readRevision).toByteArray();
  }

  public static byte[] written(ApplyResult.Written x) {
    return new Wire.Writer().i64(x.revision()).i64(x.createRevision()).i64(x.version()).i64(x.timestampMillis()).toByteArray();
  }

  public static byte[] batchWritten(ApplyResult.BatchWritten x) {
    return new Wire.Writer().i64(x.revision()).i64(x.timestampMillis()).u32(x.count()).toByteArray();
  }

  public static byte[] deleted(ApplyResult.Deleted x) {
    return new Wire.Writer().bool(x.existed()).i64(x.revision()).toByteArray();
  }

  public static byte[] txn(ApplyResult.TxnDone t) {
    Wire.Writer w = new Wire.Writer().bool(t.succeeded()).i64(t.revision()).i64(t.timestampMillis()).u16(t.results().size());
    for (ApplyResult.OpResult r : t.results()) {
      switch (r) {
        case ApplyResult.OpResult.Put p -> w.u8(1).i64(p.revision()).i64(p.createRevision()).i64(p.version());
        case ApplyResult.OpResult.Delete d -> w.u8(2).bool(d.existed());
        case ApplyResult.OpResult.Get g -> {
          w.u8(3).bool(g.version() != null);
          if (g.version() != null) version(w, g.version());
        }
        case ApplyResult.OpResult.Range rg -> {
          w.u8(4).bool(rg.more()).u32(rg.items().size());
          for (ApplyResult.KeyVersion kv : rg.items()) {
            w.bytes(kv.key());
            version(w, kv.version());
          }
        }
      }
    }
    return w.toByteArray();
  }

  public static byte[] change(long revision, List<WatchEvent> events) {
    Wire.Writer w = new Wire.Writer().u8(1).i64(revision).u32(events.size());
    for (WatchEvent e : events) {
      w.bytes(e.key());
      version(w, e.version());
    }
    return w.toByteArray();
  }

  public static byte[] progress(long revision) {
    return new Wire.Writer().u8(2).i64(revision).toByteArray();
  }

  /** A member for CLUSTER answers: role 0 leader, 1 follower, 2 learner, 3 unknown. */
  public record Member(String id, int role, String host, int protocolPort, int httpPort) {}

  public static byte[] cluster(String leaderId, List<Member> members) {
    Wire.Writer w = new Wire.Writer().string(leaderId == null ? "" : leaderId).u16(members.size());
    for (Member m : members) w.string(m.id()).u8(m.role()).string(m.host()).u16(m.protocolPort()).u16(m.httpPort());
    return w.toByteArray();
  }

  public static byte[] bool(boolean b) {
    return new Wire.Writer().bool(b).toByteArray();
  }

  public static byte[] names(List<String> names) {
    Wire.Writer w = new Wire.Writer().u16(names.size());
    names.forEach(w::string);
    return w.toByteArray();
  }

  public static byte[] versions(List<VersionRecord> versions) {
    Wire.Writer w = new Wire.Writer().u32(versions.size());
    versions.forEach(v -> version(w, v));
    return w.toByteArray();
  }
}
