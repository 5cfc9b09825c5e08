package io.aiondb.server.state;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.ContentType;
import java.util.Arrays;

/**
 * One operation of a branch of a {@link Command.Txn}. Operations run in order; a get or range sees the writes of
 * the operations before it in the same branch.
 */
public sealed interface TxnOp {
  /** The most keys one range operation returns. */
  int MAX_RANGE_LIMIT = 1000;

  String namespace();

  /** True for operations that write. */
  default boolean writes() {
    return false;
  }

  record Put(String namespace, byte[] key, byte[] value, ContentType contentType) implements TxnOp {
    public Put {
      Command.validateNamespace(namespace);
      Command.validateKey(key);
      Command.validateValue(value);
      if (contentType == null) throw new IllegalArgumentException("contentType");
    }

    @Override
    public boolean writes() {
      return true;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Put p && namespace.equals(p.namespace) && Arrays.equals(key, p.key)
          && Arrays.equals(value, p.value) && contentType == p.contentType;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(key);
    }
  }

  record Delete(String namespace, byte[] key) implements TxnOp {
    public Delete {
      Command.validateNamespace(namespace);
      Command.validateKey(key);
    }

    @Override
    public boolean writes() {
      return true;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Delete d && namespace.equals(d.namespace) && Arrays.equals(key, d.key);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(key);
    }
  }

  record Get(String namespace, byte[] key) implements TxnOp {
    public Get {
      Command.validateNamespace(namespace);
      Command.validateKey(key);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Get g && namespace.equals(g.namespace) && Arrays.equals(key, g.key);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(key);
    }
  }

  /**
   * The live keys in {@code [from, to)} in key order, at most {@code limit}. {@code to} null means no upper bound.
   */
  record Range(String namespace, byte[] from, byte[] to, int limit) implements TxnOp {
    public Range {
      Command.validateNamespace(namespace);
      if (from == null) throw new AionException(ErrorCode.BAD_REQUEST, "a range needs a start key (may be empty)");
      if (from.length > io.aiondb.server.storage.Keys.MAX_KEY_BYTES || (to != null && to.length > io.aiondb.server.storage.Keys.MAX_KEY_BYTES + 1)) {
        throw new AionException(ErrorCode.INVALID_KEY, "range bounds are at most 256 bytes");
      }
      if (limit < 1 || limit > MAX_RANGE_LIMIT) {
        throw new AionException(ErrorCode.BAD_REQUEST, "a range limit must be 1.." + MAX_RANGE_LIMIT + ", not " + limit);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Range r && namespace.equals(r.namespace) && Arrays.equals(from, r.from)
          && Arrays.equals(to, r.to) && limit == r.limit;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(from);
    }
  }
}
