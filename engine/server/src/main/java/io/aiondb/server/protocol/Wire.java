package io.aiondb.server.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The protocol's primitive types: big-endian integers, {@code bytes} as {@code u32 length | data}, {@code string}
 * as {@code u16 length | UTF-8}, {@code bool} as one byte 0 or 1.
 */
public final class Wire {
  private Wire() {}

  /** A frame or payload that does not follow the layout: answered with an error frame, then the connection closes. */
  public static final class Malformed extends RuntimeException {
    public Malformed(String message) {
      super(message);
    }
  }

  /** Reads one payload; every read checks the bytes remain, {@link #end} checks nothing is left over. */
  public static final class Reader {
    private final ByteBuffer buf;

    public Reader(byte[] payload) {
      this.buf = ByteBuffer.wrap(payload);
    }

    private void need(int n, String what) {
      if (buf.remaining() < n) throw new Malformed("truncated payload: " + what + " needs " + n + " bytes, " + buf.remaining() + " left");
    }

    public int u8(String what) {
      need(1, what);
      return buf.get() & 0xFF;
    }

    public int u16(String what) {
      need(2, what);
      return buf.getShort() & 0xFFFF;
    }

    public long u32(String what) {
      need(4, what);
      return buf.getInt() & 0xFFFFFFFFL;
    }

    public long i64(String what) {
      need(8, what);
      return buf.getLong();
    }

    public boolean bool(String what) {
      int b = u8(what);
      if (b > 1) throw new Malformed(what + " must be 0 or 1, not " + b);
      return b == 1;
    }

    public byte[] bytes(String what) {
      long n = u32(what + " length");
      need((int) Math.min(n, Integer.MAX_VALUE), what);
      byte[] out = new byte[(int) n];
      buf.get(out);
      return out;
    }

    public String string(String what) {
      int n = u16(what + " length");
      need(n, what);
      byte[] b = new byte[n];
      buf.get(b);
      try {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
      } catch (CharacterCodingException e) {
        throw new Malformed(what + " is not valid UTF-8");
      }
    }

    public void end() {
      if (buf.hasRemaining()) throw new Malformed(buf.remaining() + " unexpected bytes after the payload");
    }

    /** The bytes not read yet (the wrapped payload of a TRACED frame). */
    public byte[] rest() {
      byte[] out = new byte[buf.remaining()];
      buf.get(out);
      return out;
    }
  }

  /** Builds one payload or frame. */
  public static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    public Writer u8(int v) {
      out.write(v);
      return this;
    }

    public Writer u16(int v) {
      out.write(v >>> 8);
      out.write(v);
      return this;
    }

    public Writer u32(long v) {
      for (int s = 24; s >= 0; s -= 8) out.write((int) (v >>> s));
      return this;
    }

    public Writer i64(long v) {
      for (int s = 56; s >= 0; s -= 8) out.write((int) (v >>> s));
      return this;
    }

    public Writer bool(boolean v) {
      return u8(v ? 1 : 0);
    }

    public Writer bytes(byte[] b) {
      u32(b.length);
      out.writeBytes(b);
      return this;
    }

    public Writer string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      if (b.length > 0xFFFF) throw new IllegalArgumentException("string longer than 65535 bytes");
      u16(b.length);
      out.writeBytes(b);
      return this;
    }

    public Writer raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    public int size() {
      return out.size();
    }

    public byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
