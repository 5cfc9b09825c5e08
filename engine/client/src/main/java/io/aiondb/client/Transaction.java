package io.aiondb.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An interactive, serializable transaction (optimistic). Every read is taken at one snapshot revision (the first
 * read's) and records the key's mod revision there; writes are buffered (and visible to later reads of this
 * transaction); {@link #commit()} sends one conditional transaction: "if every key read is still at the mod
 * revision seen, apply the writes". If any changed, nothing is written and commit throws
 * {@link AionException.TransactionConflict} — run the transaction again ({@link Aion#inTransaction} does). The
 * server never retries it by itself. Not thread-safe; one transaction per thread.
 */
public final class Transaction {
  private record Key(String ns, byte[] key) {
    String id() {
      return ns + "/" + HexFormat.of().formatHex(key);
    }
  }

  private record Write(Key key, byte[] value, ValueType type) {} // value null: delete

  private final Aion db;
  private long snapshot;
  private boolean snapshotTaken;
  private final Map<String, Long> reads = new LinkedHashMap<>();
  private final Map<String, Key> readKeys = new LinkedHashMap<>();
  private final Map<String, Write> writes = new LinkedHashMap<>();
  private boolean done;

  Transaction(Aion db) {
    this.db = db;
  }

  /** The revision this transaction reads at (0 before its first read). */
  public long snapshotRevision() {
    return snapshot;
  }

  public Optional<KeyValue> get(String ns, String key) {
    return get(ns, key.getBytes(StandardCharsets.UTF_8));
  }

  public Optional<KeyValue> get(String ns, byte[] key) {
    check();
    Key k = new Key(ns, key);
    Write w = writes.get(k.id());
    if (w != null) {
      return w.value() == null ? Optional.empty()
          : Optional.of(new KeyValue(w.value(), w.type().mediaType(), 0, 0, 0, null, snapshot));
    }
    Optional<KeyValue> v;
    if (!snapshotTaken) {
      Aion.ReadResult first = Aion.join(db.read(ns, key, Read.linearizable()));
      v = first.value();
      snapshot = first.readRevision(); // the first read fixes the snapshot
      snapshotTaken = true;
    } else if (snapshot == 0) { // nothing was ever written when the transaction began: the commit's compares decide
      v = db.get(ns, key, Read.linearizable());
    } else {
      v = db.get(ns, key, Read.linearizable().atRevision(snapshot).minRevision(snapshot));
    }
    reads.putIfAbsent(k.id(), v.map(KeyValue::revision).orElse(0L));
    readKeys.putIfAbsent(k.id(), k);
    return v;
  }

  public void put(String ns, String key, String text) {
    put(ns, key.getBytes(StandardCharsets.UTF_8), text.getBytes(StandardCharsets.UTF_8), ValueType.TEXT);
  }

  public void put(String ns, byte[] key, byte[] value, ValueType type) {
    check();
    Key k = new Key(ns, key.clone());
    writes.put(k.id(), new Write(k, value.clone(), type));
  }

  public void delete(String ns, String key) {
    check();
    Key k = new Key(ns, key.getBytes(StandardCharsets.UTF_8));
    writes.put(k.id(), new Write(k, null, null));
  }

  /** Applies the buffered writes if nothing read has changed; returns the commit's result. */
  public TxnResult commit() {
    check();
    done = true;
    Txn t = db.txn();
    for (var e : reads.entrySet()) {
      Key k = readKeys.get(e.getKey());
      t.ifModRevision(k.ns(), k.key(), e.getValue());
    }
    List<Txn.Op> ops = new ArrayList<>();
    for (Write w : writes.values()) {
      ops.add(w.value() == null ? Txn.delete(w.key().ns(), w.key().key()) : Txn.put(w.key().ns(), w.key().key(), w.value(), w.type()));
    }
    t.then(ops.toArray(Txn.Op[]::new));
    TxnResult r = t.commit();
    if (!r.succeeded()) {
      throw new AionException.TransactionConflict("a key this transaction read (at revision " + snapshot
          + ") changed before it committed; nothing was written: run the transaction again");
    }
    return r;
  }

  private void check() {
    if (done) throw new IllegalStateException("this transaction is already committed");
  }
}
