package io.aiondb.server.query;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * Where a query stopped: the revision its first page was read at, the last key returned, and the hash of the query.
 * Opaque to clients: base64url of {@code format:u8 | revision:u64 | queryHash:u64 | keyLength:u16 | key}.
 */
public record Cursor(long revision, long queryHash, byte[] lastKey) {
  private static final byte FORMAT = 1;

  public String encode() {
    ByteBuffer b = ByteBuffer.allocate(1 + 8 + 8 + 2 + lastKey.length);
    b.put(FORMAT).putLong(revision).putLong(queryHash).putShort((short) lastKey.length).put(lastKey);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
  }

  public static Cursor decode(String text) {
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw malformed();
    }
    try {
      ByteBuffer b = ByteBuffer.wrap(raw);
      if (b.get() != FORMAT) throw malformed();
      long rev = b.getLong();
      long hash = b.getLong();
      int len = Short.toUnsignedInt(b.getShort());
      if (len < 1 || len > 256 || b.remaining() != len || rev < 0) throw malformed();
      byte[] key = new byte[len];
      b.get(key);
      return new Cursor(rev, hash, key);
    } catch (BufferUnderflowException e) {
      throw malformed();
    }
  }

  private static AionException malformed() {
    return new AionException(ErrorCode.INVALID_CURSOR,
        "malformed cursor: pass back the cursor string of the previous page unchanged");
  }
}
