package io.aiondb.client;

import io.aiondb.client.protocol.Frames;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Many puts into one namespace, written as one log entry (PUT_BATCH in docs/protocol.md): all or nothing, every key
 * at the same revision. Build it with {@link Aion#putBatch(String)}, then {@link #commit()}.
 *
 * <pre>{@code
 * BatchResult r = db.putBatch("users")
 *     .put("u1", "Ada")
 *     .putJson("u2", "{\"name\":\"Grace\"}")
 *     .commit();
 * }</pre>
 *
 * The server refuses (and writes nothing of) a batch that is empty, has more than {@link #MAX_ITEMS} items or more
 * than {@link #MAX_BYTES} of keys and values, writes a key twice, or holds an invalid key or value; its message
 * names the item by index (from 0, in the order added). {@link #size()} and {@link #bytes()} let a loader cut its
 * batches below the limits. Not thread-safe; a batch is sent once.
 */
public final class PutBatch {
  /** The server's limits: items per batch, and bytes of keys and values together. */
  public static final int MAX_ITEMS = 10_000, MAX_BYTES = 4 * 1024 * 1024;

  private final Aion db;
  private final String ns;
  private final Frames.Out items = new Frames.Out();
  private int count;
  private long bytes;

  PutBatch(Aion db, String ns) {
    this.db = db;
    this.ns = ns;
  }

  public PutBatch put(byte[] key, byte[] value, ValueType type) {
    items.bytes(key).u8(type.code).bytes(value);
    count++;
    bytes += key.length + value.length;
    return this;
  }

  /** A text value (UTF-8). */
  public PutBatch put(String key, String text) {
    return put(key.getBytes(StandardCharsets.UTF_8), text.getBytes(StandardCharsets.UTF_8), ValueType.TEXT);
  }

  /** A JSON value (the server checks it is one valid JSON document). */
  public PutBatch putJson(String key, String json) {
    return put(key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8), ValueType.JSON);
  }

  /** Items added so far. */
  public int size() {
    return count;
  }

  /** Bytes of keys and values added so far (what {@link #MAX_BYTES} limits). */
  public long bytes() {
    return bytes;
  }

  /**
   * Sends the batch. Fails with {@link AionException} as a put does; a write whose outcome is unknown
   * ({@link AionException.UnknownOutcome}) was applied wholly or not at all.
   */
  public CompletableFuture<BatchResult> commitAsync() {
    return db.putBatch(encode());
  }

  /** The PUT_BATCH payload. */
  byte[] encode() {
    return new Frames.Out().string(ns).u32(count).raw(items.bytesOut()).bytesOut();
  }

  public BatchResult commit() {
    return Aion.join(commitAsync());
  }
}
