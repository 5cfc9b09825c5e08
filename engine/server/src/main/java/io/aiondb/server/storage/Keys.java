package io.aiondb.server.storage;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Byte layouts of the RocksDB keys. All integers are big-endian so that RocksDB's bytewise order is numeric order.
 *
 * <ul>
 *   <li>{@code kv} (current values): {@code nsId:u32 | userKey}. Keys of one namespace are contiguous and sorted
 *       like the user keys.</li>
 *   <li>{@code history}: {@code nsId:u32 | escape(userKey) | revision:u64}. {@link #escape} maps {@code 0x00} to
 *       {@code 0x00 0xFF} and ends with {@code 0x00 0x01}, so escaped keys sort like the raw keys, a key is never a
 *       prefix of another key's entries, and the versions of one key are contiguous, oldest first.</li>
 *   <li>{@code changes}: {@code nsId:u32 | revision:u64 | userKey}, empty value: the change feed of a namespace in
 *       revision order (the keys a revision wrote are contiguous, in key order).</li>
 * </ul>
 */
public final class Keys {
  public static final int MAX_KEY_BYTES = 256;
  public static final int MAX_VALUE_BYTES = 4 * 1024 * 1024;

  private Keys() {}

  public static byte[] nsPrefix(int nsId) {
    return ByteBuffer.allocate(4).putInt(nsId).array();
  }

  /** The first key after every key of the namespace. */
  public static byte[] nsEnd(int nsId) {
    return ByteBuffer.allocate(4).putInt(nsId + 1).array();
  }

  public static byte[] current(int nsId, byte[] key) {
    return ByteBuffer.allocate(4 + key.length).putInt(nsId).put(key).array();
  }

  /** The user key of a {@code kv} entry. */
  public static byte[] userKeyOfCurrent(byte[] dbKey) {
    return Arrays.copyOfRange(dbKey, 4, dbKey.length);
  }

  public static int nsOf(byte[] dbKey) {
    return ByteBuffer.wrap(dbKey, 0, 4).getInt();
  }

  public static byte[] escape(byte[] key) {
    int zeros = 0;
    for (byte b : key) if (b == 0) zeros++;
    byte[] out = new byte[key.length + zeros + 2];
    int j = 0;
    for (byte b : key) {
      out[j++] = b;
      if (b == 0) out[j++] = (byte) 0xFF;
    }
    out[j++] = 0;
    out[j] = 1;
    return out;
  }

  /** Reverses {@link #escape}; {@code from} points at the first escaped byte. Returns the key and the end offset. */
  public static byte[] unescape(byte[] buf, int from, int[] endOut) {
    byte[] out = new byte[buf.length - from];
    int j = 0;
    int i = from;
    while (i < buf.length) {
      byte b = buf[i];
      if (b == 0) {
        if (i + 1 >= buf.length) throw new IllegalArgumentException("truncated escaped key");
        byte next = buf[i + 1];
        if (next == (byte) 0xFF) {
          out[j++] = 0;
          i += 2;
          continue;
        }
        if (next == 1) {
          endOut[0] = i + 2;
          return Arrays.copyOf(out, j);
        }
        throw new IllegalArgumentException("bad escape byte " + next);
      }
      out[j++] = b;
      i++;
    }
    throw new IllegalArgumentException("unterminated escaped key");
  }

  /** {@code nsId | escape(key)}: the prefix shared by all versions of one key. */
  public static byte[] historyKeyPrefix(int nsId, byte[] key) {
    byte[] esc = escape(key);
    return ByteBuffer.allocate(4 + esc.length).putInt(nsId).put(esc).array();
  }

  public static byte[] history(int nsId, byte[] key, long revision) {
    byte[] esc = escape(key);
    return ByteBuffer.allocate(4 + esc.length + 8).putInt(nsId).put(esc).putLong(revision).array();
  }

  public static byte[] historyWithPrefix(byte[] prefix, long revision) {
    return ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(revision).array();
  }

  /** The revision at the end of a {@code history} key. */
  public static long revisionOfHistory(byte[] dbKey) {
    return ByteBuffer.wrap(dbKey, dbKey.length - 8, 8).getLong();
  }

  /** The user key inside a {@code history} key. */
  public static byte[] userKeyOfHistory(byte[] dbKey) {
    return unescape(dbKey, 4, new int[1]);
  }

  /** The {@code nsId | escape(key)} prefix of a {@code history} key. */
  public static byte[] prefixOfHistory(byte[] dbKey) {
    return Arrays.copyOf(dbKey, dbKey.length - 8);
  }

  public static byte[] change(int nsId, long revision, byte[] key) {
    return ByteBuffer.allocate(12 + key.length).putInt(nsId).putLong(revision).put(key).array();
  }

  /** The first change-feed key of a namespace at or after {@code revision}. */
  public static byte[] changeFrom(int nsId, long revision) {
    return ByteBuffer.allocate(12).putInt(nsId).putLong(revision).array();
  }

  public static long revisionOfChange(byte[] dbKey) {
    return ByteBuffer.wrap(dbKey, 4, 8).getLong();
  }

  public static byte[] userKeyOfChange(byte[] dbKey) {
    return Arrays.copyOfRange(dbKey, 12, dbKey.length);
  }

  public static boolean startsWith(byte[] a, byte[] prefix) {
    if (a.length < prefix.length) return false;
    return Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** The smallest key greater than every key starting with {@code prefix}, or null if there is none (all 0xFF). */
  public static byte[] prefixEnd(byte[] prefix) {
    byte[] end = Arrays.copyOf(prefix, prefix.length);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xFF) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    return null;
  }
}
