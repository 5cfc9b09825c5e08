package io.aiondb.client;

import java.nio.charset.StandardCharsets;

/** A key and one of its versions (range results, watch events). */
public record Entry(byte[] key, KeyValue value) {
  public String keyText() {
    return new String(key, StandardCharsets.UTF_8);
  }
}
