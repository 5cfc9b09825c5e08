package io.aiondb.client.protocol;

import java.nio.charset.StandardCharsets;

/** Request payloads of docs/protocol.md (the client's side; checked against the document's test vectors). */
public final class Requests {
  private Requests() {}

  public static byte[] hello(String client) {
    return new Frames.Out().raw("AION".getBytes(StandardCharsets.US_ASCII)).u8(Frames.VERSION).string(client).bytesOut();
  }

  /** AUTH: a bearer token for the requests that follow on the connection (docs/protocol.md). */
  public static byte[] auth(String token) {
    return new Frames.Out().string(token).bytesOut();
  }

  public static byte[] get(String ns, byte[] key, long revision, boolean stale, long minRevision) {
    return new Frames.Out().string(ns).bytes(key).i64(revision).u8(stale ? 1 : 0).i64(minRevision).bytesOut();
  }

  public static byte[] put(String ns, byte[] key, int contentType, long expectedRevision, byte[] value) {
    return new Frames.Out().string(ns).bytes(key).u8(contentType).i64(expectedRevision).bytes(value).bytesOut();
  }

  public static byte[] delete(String ns, byte[] key, long expectedRevision) {
    return new Frames.Out().string(ns).bytes(key).i64(expectedRevision).bytesOut();
  }

  public static byte[] query(String ns, boolean stale, long minRevision, byte[] json) {
    return new Frames.Out().string(ns).u8(stale ? 1 : 0).i64(minRevision).bytes(json).bytesOut();
  }

  public static byte[] watch(String ns, boolean prefix, byte[] key, long fromRevision) {
    return new Frames.Out().string(ns).bool(prefix).bytes(key).i64(fromRevision).bytesOut();
  }

  public static byte[] cancel(long target) {
    return new Frames.Out().u32(target).bytesOut();
  }

  public static byte[] history(String ns, byte[] key, int limit, long before) {
    return new Frames.Out().string(ns).bytes(key).u32(limit).i64(before).bytesOut();
  }

  public static byte[] namespace(String ns) {
    return new Frames.Out().string(ns).bytesOut();
  }
}
