package io.aiondb.client;

import java.nio.charset.StandardCharsets;

/** One change delivered by a watch: the version a revision wrote for a key. {@code deleted} for a delete. */
public record WatchEvent(long revision, byte[] key, boolean deleted, KeyValue value) {
  public String keyText() {
    return new String(key, StandardCharsets.UTF_8);
  }
}
