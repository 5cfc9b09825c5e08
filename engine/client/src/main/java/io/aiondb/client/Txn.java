package io.aiondb.client;

import io.aiondb.client.protocol.Frames;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A conditional transaction, applied atomically as one log entry: if every condition holds, the {@code then}
 * operations run, otherwise the {@code otherwise} ones. Build it with {@link Aion#txn()}, then {@link #commit()}.
 *
 * <pre>{@code
 * TxnResult r = db.txn()
 *     .ifModRevision("bank", "alice", 7)
 *     .then(Txn.put("bank", "alice", "70"), Txn.put("bank", "bob", "50"))
 *     .otherwise(Txn.get("bank", "alice"))
 *     .commit();
 * }</pre>
 */
public final class Txn {
  /** One operation of a branch. */
  public static final class Op {
    final byte[] encoded;

    private Op(byte[] encoded) {
      this.encoded = encoded;
    }
  }

  private final Aion db;
  private final List<byte[]> compares = new ArrayList<>();
  private final List<Op> then = new ArrayList<>();
  private final List<Op> otherwise = new ArrayList<>();

  Txn(Aion db) {
    this.db = db;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Txn compare(String ns, byte[] key, int target, int op, long number, byte[] value) {
    Frames.Out o = new Frames.Out().string(ns).bytes(key).u8(target).u8(op).i64(number).bool(value != null);
    if (value != null) o.bytes(value);
    compares.add(o.bytesOut());
    return this;
  }

  /** The key's current mod revision is {@code revision} (0: the key does not exist). */
  public Txn ifModRevision(String ns, String key, long revision) {
    return ifModRevision(ns, b(key), revision);
  }

  public Txn ifModRevision(String ns, byte[] key, long revision) {
    return compare(ns, key, 3, 0, revision, null);
  }

  public Txn ifVersion(String ns, byte[] key, String op, long version) {
    return compare(ns, key, 1, op(op), version, null);
  }

  public Txn ifCreateRevision(String ns, byte[] key, String op, long revision) {
    return compare(ns, key, 2, op(op), revision, null);
  }

  public Txn ifModRevision(String ns, byte[] key, String op, long revision) {
    return compare(ns, key, 3, op(op), revision, null);
  }

  public Txn ifExists(String ns, String key) {
    return compare(ns, b(key), 1, 1, 0, null);
  }

  public Txn ifAbsent(String ns, String key) {
    return compare(ns, b(key), 1, 0, 0, null);
  }

  /** The key's value compared as unsigned bytes ({@code op} one of = != < >); false when the key does not exist. */
  public Txn ifValue(String ns, byte[] key, String op, byte[] value) {
    return compare(ns, key, 0, op(op), 0, value);
  }

  private static int op(String op) {
    return switch (op) {
      case "=", "==", "eq" -> 0;
      case "!=", "ne" -> 1;
      case "<", "lt" -> 2;
      case ">", "gt" -> 3;
      default -> throw new IllegalArgumentException("compare op must be =, !=, < or >, not " + op);
    };
  }

  public Txn then(Op... ops) {
    then.addAll(List.of(ops));
    return this;
  }

  public Txn otherwise(Op... ops) {
    otherwise.addAll(List.of(ops));
    return this;
  }

  public static Op put(String ns, String key, String text) {
    return put(ns, b(key), b(text), ValueType.TEXT);
  }

  public static Op put(String ns, byte[] key, byte[] value, ValueType type) {
    return new Op(new Frames.Out().u8(1).string(ns).bytes(key).u8(type.code).bytes(value).bytesOut());
  }

  public static Op delete(String ns, String key) {
    return delete(ns, b(key));
  }

  public static Op delete(String ns, byte[] key) {
    return new Op(new Frames.Out().u8(2).string(ns).bytes(key).bytesOut());
  }

  public static Op get(String ns, String key) {
    return get(ns, b(key));
  }

  public static Op get(String ns, byte[] key) {
    return new Op(new Frames.Out().u8(3).string(ns).bytes(key).bytesOut());
  }

  /** Live keys in {@code [from, to)} ({@code to} null: no bound), at most {@code limit} (1..1000). */
  public static Op range(String ns, byte[] from, byte[] to, int limit) {
    Frames.Out o = new Frames.Out().u8(4).string(ns).bytes(from).bool(to != null);
    if (to != null) o.bytes(to);
    return new Op(o.u32(limit).bytesOut());
  }

  public static Op rangePrefix(String ns, String prefix, int limit) {
    byte[] p = b(prefix);
    return range(ns, p, Aion.prefixEnd(p), limit);
  }

  byte[] encode() {
    Frames.Out o = new Frames.Out().u16(compares.size());
    compares.forEach(o::raw);
    o.u16(then.size());
    then.forEach(x -> o.raw(x.encoded));
    o.u16(otherwise.size());
    otherwise.forEach(x -> o.raw(x.encoded));
    return o.bytesOut();
  }

  public TxnResult commit() {
    return Aion.join(commitAsync());
  }

  public java.util.concurrent.CompletableFuture<TxnResult> commitAsync() {
    return db.txn(encode());
  }
}
