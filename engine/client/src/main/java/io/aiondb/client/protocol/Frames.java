package io.aiondb.client.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The primitive types and frame layout of docs/protocol.md, written from that document (the client shares no code
 * with the server). Big-endian integers, {@code bytes} = u32 length + data, {@code string} = u16 length + UTF-8.
 */
public final class Frames {
  public static final int VERSION = 1;
  public static final int MAX_FRAME = 16 << 20;
  public static final int HELLO = 0x01, PING = 0x02, GET = 0x03, PUT = 0x04, DELETE = 0x05, TXN = 0x06, QUERY = 0x07,
      WATCH = 0x08, CANCEL = 0x09, CLUSTER = 0x0A, NS_CREATE = 0x0B, NS_DROP = 0x0C, NS_LIST = 0x0D, HISTORY = 0x0E,
      PUT_BATCH = 0x0F, AUTH = 0x10, TRACED = 0x11;
  public static final int OK = 0x00, ERROR = 0x01, EVENT = 0x02, END = 0x03;

  private Frames() {}

  /** A TRACED payload: the W3C trace context, then the wrapped request's kind and payload. */
  public static byte[] traced(String traceparent, String tracestate, int kind, byte[] payload) {
    return new Out().string(traceparent).string(tracestate).u8(kind).raw(payload).bytesOut();
  }

  public static byte[] frame(long id, int kind, byte[] payload) {
    return new Out().u32(5L + payload.length).u32(id).u8(kind).raw(payload).bytesOut();
  }

  /** Builds a payload. */
  public static final class Out {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    public Out u8(int v) {
      out.write(v);
      return this;
    }

    public Out u16(int v) {
      out.write(v >>> 8);
      out.write(v);
      return this;
    }

    public Out u32(long v) {
      for (int s = 24; s >= 0; s -= 8) out.write((int) (v >>> s));
      return this;
    }

    public Out i64(long v) {
      for (int s = 56; s >= 0; s -= 8) out.write((int) (v >>> s));
      return this;
    }

    public Out bool(boolean b) {
      return u8(b ? 1 : 0);
    }

    public Out bytes(byte[] b) {
      u32(b.length);
      out.writeBytes(b);
      return this;
    }

    public Out string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      if (b.length > 0xFFFF) throw new IllegalArgumentException("string longer than 65535 bytes");
      u16(b.length);
      out.writeBytes(b);
      return this;
    }

    public Out raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    public byte[] bytesOut() {
      return out.toByteArray();
    }
  }

  /** Reads a payload; a short or malformed payload is a protocol error. */
  public static final class In {
    private final ByteBuffer b;

    public In(byte[] payload) {
      b = ByteBuffer.wrap(payload);
    }

    private void need(int n) {
      if (b.remaining() < n) throw new IllegalStateException("protocol error: truncated answer from the server");
    }

    public int u8() {
      need(1);
      return b.get() & 0xFF;
    }

    public int u16() {
      need(2);
      return b.getShort() & 0xFFFF;
    }

    public long u32() {
      need(4);
      return b.getInt() & 0xFFFFFFFFL;
    }

    public long i64() {
      need(8);
      return b.getLong();
    }

    public boolean bool() {
      return u8() != 0;
    }

    public byte[] bytes() {
      long n = u32();
      need((int) Math.min(n, Integer.MAX_VALUE));
      byte[] out = new byte[(int) n];
      b.get(out);
      return out;
    }

    public String string() {
      int n = u16();
      need(n);
      byte[] out = new byte[n];
      b.get(out);
      return new String(out, StandardCharsets.UTF_8);
    }

    public boolean done() {
      return !b.hasRemaining();
    }
  }
}
