package io.aiondb.server.state;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.Keys;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * A mutation, as it travels through the log. Constructors validate: a command that exists is well-formed, so
 * {@code apply} never sees a malformed one. Everything {@code apply} needs is inside the command and its
 * {@link LogEntry} (commit time included): applying is a pure function of (state, entry).
 */
public sealed interface Command {

  /** Expected-revision value meaning "no condition". */
  long ANY_REVISION = -1;

  /** Commands that must be applied in a batch of their own (they iterate or range-delete stored state). */
  default boolean exclusive() {
    return false;
  }

  record CreateNamespace(String name) implements Command {
    public CreateNamespace {
      validateNamespace(name);
    }
  }

  record DropNamespace(String name) implements Command {
    public DropNamespace {
      validateNamespace(name);
    }

    @Override
    public boolean exclusive() {
      return true;
    }
  }

  /**
   * Writes a value. {@code expectedRevision}: {@link #ANY_REVISION} for an unconditional put, 0 for "only if the key
   * does not exist", otherwise the key's current mod revision must equal it.
   */
  record Put(String namespace, byte[] key, byte[] value, ContentType contentType, long expectedRevision)
      implements Command {
    public Put {
      validateNamespace(namespace);
      validateKey(key);
      validateValue(value);
      if (contentType == null) throw new IllegalArgumentException("contentType");
      if (expectedRevision < ANY_REVISION) throw new AionException(ErrorCode.BAD_REQUEST, "expected revision must be >= 0");
    }
  }

  /** Deletes a key (writes a tombstone version). {@code expectedRevision} as for {@link Put}, 0 not allowed. */
  record Delete(String namespace, byte[] key, long expectedRevision) implements Command {
    public Delete {
      validateNamespace(namespace);
      validateKey(key);
      if (expectedRevision < ANY_REVISION) throw new AionException(ErrorCode.BAD_REQUEST, "expected revision must be >= 0");
    }
  }

  /**
   * A conditional transaction, applied atomically as one log entry: if every compare holds, the {@code success}
   * operations run in order, else the {@code failure} ones. All writes of the transaction get one revision, so a
   * read at any revision sees all of them or none. A key may be written at most once per branch. Limits:
   * {@value #MAX_TXN_COMPARES} compares and {@value #MAX_TXN_OPS} operations per branch; the whole entry stays under
   * the value limit plus 64 KiB.
   */
  record Txn(java.util.List<Compare> compares, java.util.List<TxnOp> success, java.util.List<TxnOp> failure)
      implements Command {
    public Txn {
      compares = java.util.List.copyOf(compares);
      success = java.util.List.copyOf(success);
      failure = java.util.List.copyOf(failure);
      if (compares.size() > MAX_TXN_COMPARES) {
        throw new AionException(ErrorCode.BAD_REQUEST, "a transaction has at most " + MAX_TXN_COMPARES + " compares");
      }
      validateBranch("success", success);
      validateBranch("failure", failure);
      long bytes = 0;
      for (TxnOp op : success) if (op instanceof TxnOp.Put p) bytes += p.value().length + p.key().length;
      for (TxnOp op : failure) if (op instanceof TxnOp.Put p) bytes += p.value().length + p.key().length;
      for (Compare c : compares) bytes += c.key().length + (c.value() == null ? 0 : c.value().length);
      if (bytes > Keys.MAX_VALUE_BYTES) {
        throw new AionException(ErrorCode.VALUE_TOO_LARGE,
            "a transaction carries " + bytes + " bytes of keys and values; the maximum is " + Keys.MAX_VALUE_BYTES);
      }
    }

    private static void validateBranch(String name, java.util.List<TxnOp> ops) {
      if (ops.size() > MAX_TXN_OPS) {
        throw new AionException(ErrorCode.BAD_REQUEST, "a transaction branch has at most " + MAX_TXN_OPS + " operations");
      }
      java.util.Set<String> written = new java.util.HashSet<>();
      for (TxnOp op : ops) {
        byte[] key = switch (op) {
          case TxnOp.Put p -> p.key();
          case TxnOp.Delete d -> d.key();
          default -> null;
        };
        if (key == null) continue;
        String id = op.namespace() + "/" + java.util.HexFormat.of().formatHex(key);
        if (!written.add(id)) {
          throw new AionException(ErrorCode.BAD_REQUEST, "the " + name + " branch writes key '" + describeKey(key)
              + "' in namespace '" + op.namespace() + "' more than once");
        }
      }
    }

    /** True if either branch writes (a read-only transaction still goes through the log: it is linearizable). */
    public boolean writes() {
      return success.stream().anyMatch(TxnOp::writes) || failure.stream().anyMatch(TxnOp::writes);
    }
  }

  /**
   * Writes many keys of one namespace as one log entry (a bulk load): applied all or nothing, every key at the same
   * new revision. Plain puts: no expected revision. Items are numbered from 0 in errors, as in the request. Each item
   * is checked as a single put is (key 1..256 bytes); a key may appear once (a second one is refused, naming both
   * items). Limits: {@value #MAX_BATCH_ITEMS} items and {@link Keys#MAX_VALUE_BYTES} bytes of keys and values together.
   */
  record PutAll(String namespace, java.util.List<Item> items) implements Command {
    /** One key to write. */
    public record Item(byte[] key, byte[] value, ContentType contentType) {
      public Item {
        if (value == null) throw new IllegalArgumentException("value");
        if (contentType == null) throw new IllegalArgumentException("contentType");
      }
    }

    public PutAll {
      validateNamespace(namespace);
      items = java.util.List.copyOf(items);
      if (items.isEmpty()) throw new AionException(ErrorCode.BAD_REQUEST, "a batch needs at least one item");
      if (items.size() > MAX_BATCH_ITEMS) {
        throw new AionException(ErrorCode.BAD_REQUEST, "a batch has at most " + MAX_BATCH_ITEMS + " items, not "
            + items.size() + "; split it");
      }
      java.util.Map<java.nio.ByteBuffer, Integer> seen = java.util.HashMap.newHashMap(items.size());
      long bytes = 0;
      for (int i = 0; i < items.size(); i++) {
        Item item = items.get(i);
        try {
          validateKey(item.key());
        } catch (AionException e) {
          throw at(i, null, e);
        }
        Integer first = seen.putIfAbsent(java.nio.ByteBuffer.wrap(item.key()), i);
        if (first != null) {
          throw new AionException(ErrorCode.BAD_REQUEST, "items " + first + " and " + i + " both write key '"
              + describeKey(item.key()) + "'; a batch writes a key at most once");
        }
        long own = (long) item.key().length + item.value().length;
        if (own > Keys.MAX_VALUE_BYTES) {
          throw at(i, item.key(), new AionException(ErrorCode.VALUE_TOO_LARGE, "key and value are " + own
              + " bytes; a batch carries at most " + Keys.MAX_VALUE_BYTES + " bytes (4 MiB) of keys and values"));
        }
        bytes += own;
        if (bytes > Keys.MAX_VALUE_BYTES) {
          throw new AionException(ErrorCode.VALUE_TOO_LARGE, "the batch passes " + Keys.MAX_VALUE_BYTES
              + " bytes (4 MiB) of keys and values at item " + i + "; split it");
        }
      }
    }

    /** {@code e} naming the item it is about (and its key, when the key is valid). */
    public static AionException at(int index, byte[] key, AionException e) {
      return new AionException(e.code(), "item " + index + (key == null ? "" : " (key '" + describeKey(key) + "')")
          + ": " + e.getMessage());
    }
  }

  int MAX_BATCH_ITEMS = 10_000;

  /** Defines a secondary index; it starts {@code BUILDING} and a backfill makes it {@code READY}. */
  record CreateIndex(String namespace, String name, String field, io.aiondb.server.storage.IndexDef.Type type,
      boolean unique) implements Command {
    public CreateIndex {
      validateNamespace(namespace);
      validateIndexName(name);
      io.aiondb.server.state.JsonPath.parse(field); // throws INVALID_QUERY with the reason
      if (type == null) throw new AionException(ErrorCode.BAD_REQUEST, "an index needs a type: string, number, boolean or timestamp");
    }

    @Override
    public boolean exclusive() {
      return true;
    }
  }

  /**
   * Writes ({@code value} non-null) or removes one authentication/authorization record (a user, role or signing key;
   * docs/design/011-security.md) under {@code auth/<key>} in the meta column family, replicated like data so every
   * member enforces the same policy. {@code ifAbsent}: only when no record is there (a bootstrap every member may
   * try). {@code key} is {@code <kind>/<name>}: kind a-z and '-', name 1-256 characters of a-z, A-Z, 0-9 and
   * {@code ._@-}; a value at most 64 KiB. The service layer decides who may write them; the state machine stores them.
   */
  record AuthWrite(String key, byte[] value, boolean ifAbsent) implements Command {
    public static final int MAX_VALUE = 64 * 1024;
    private static final Pattern AUTH_KEY = Pattern.compile("[a-z][a-z-]{0,31}/[A-Za-z0-9._@-]{1,256}");

    public AuthWrite {
      if (key == null || !AUTH_KEY.matcher(key).matches()) {
        throw new AionException(ErrorCode.BAD_REQUEST, "invalid auth record key: " + key);
      }
      if (value != null && value.length > MAX_VALUE) {
        throw new AionException(ErrorCode.VALUE_TOO_LARGE, "an auth record has at most " + MAX_VALUE + " bytes");
      }
    }
  }

  /** Removes an index and all its entries. */
  record DropIndex(String namespace, String name) implements Command {
    public DropIndex {
      validateNamespace(namespace);
      validateIndexName(name);
    }

    @Override
    public boolean exclusive() {
      return true;
    }
  }

  /** Indexes up to {@code maxKeys} existing keys of a building index from where its backfill stopped. */
  record BackfillIndex(String namespace, String name, int indexId, int maxKeys) implements Command {
    public BackfillIndex {
      validateNamespace(namespace);
      validateIndexName(name);
      if (maxKeys < 1) throw new IllegalArgumentException("maxKeys must be >= 1");
    }

    @Override
    public boolean exclusive() {
      return true;
    }
  }

  static void validateIndexName(String name) {
    if (name == null || !validName(name)) {
      throw new AionException(ErrorCode.BAD_REQUEST,
          "an index name is 1-63 characters of a-z, 0-9, '_', '.', '-', starting and ending with a letter or digit: "
              + (name == null ? "null" : "'" + name + "'"));
    }
  }

  int MAX_TXN_COMPARES = 128;
  int MAX_TXN_OPS = 128;

  /**
   * Applies the history retention policy to up to {@code maxKeys} keys of a namespace, starting at {@code fromKey}
   * (inclusive; empty = the first key). A non-latest version is kept if it is among the newest {@code keepVersions}
   * (when &gt; 0) or was superseded at or after {@code cutoffMillis} (when not {@link Long#MIN_VALUE}). A key whose
   * latest version is a tombstone older than the cutoff, with nothing older kept, is removed entirely.
   */
  record Compact(String namespace, byte[] fromKey, int maxKeys, int keepVersions, long cutoffMillis)
      implements Command {
    public Compact {
      validateNamespace(namespace);
      if (fromKey == null) throw new IllegalArgumentException("fromKey");
      if (maxKeys < 1) throw new IllegalArgumentException("maxKeys must be >= 1");
      if (keepVersions < 0) throw new IllegalArgumentException("keepVersions must be >= 0");
    }

    @Override
    public boolean exclusive() {
      return true;
    }
  }

  Pattern NAMESPACE = Pattern.compile("[a-z0-9]([a-z0-9_.-]{0,61}[a-z0-9])?");

  /**
   * {@link #NAMESPACE} written out: a name is checked several times per request, and the regex was in 2.1 % of a
   * leader's CPU samples under load (JFR, 2026-12-07). {@code CommandTest} checks both agree.
   */
  static boolean validName(String s) {
    int n = s.length();
    if (n < 1 || n > 63) return false;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) continue;
      if (i == 0 || i == n - 1 || (c != '_' && c != '.' && c != '-')) return false;
    }
    return true;
  }

  static void validateNamespace(String name) {
    if (name == null || !validName(name)) {
      throw new AionException(
          ErrorCode.INVALID_NAMESPACE,
          "namespace name must be 1-63 characters of a-z, 0-9, '_', '.', '-', starting and ending with a letter or digit: "
              + (name == null ? "null" : "'" + name + "'"));
    }
  }

  static void validateKey(byte[] key) {
    if (key == null || key.length == 0) throw new AionException(ErrorCode.INVALID_KEY, "key must not be empty");
    if (key.length > Keys.MAX_KEY_BYTES) {
      throw new AionException(
          ErrorCode.INVALID_KEY, "key is " + key.length + " bytes; the maximum is " + Keys.MAX_KEY_BYTES + " bytes");
    }
  }

  static void validateValue(byte[] value) {
    if (value == null) throw new IllegalArgumentException("value");
    if (value.length > Keys.MAX_VALUE_BYTES) {
      throw new AionException(
          ErrorCode.VALUE_TOO_LARGE,
          "value is " + value.length + " bytes; the maximum is " + Keys.MAX_VALUE_BYTES + " bytes (4 MiB)");
    }
  }

  static String describeKey(byte[] key) {
    return new String(key, StandardCharsets.UTF_8);
  }
}
