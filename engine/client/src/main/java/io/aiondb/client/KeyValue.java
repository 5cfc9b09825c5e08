package io.aiondb.client;

import java.nio.charset.StandardCharsets;

/** A value read from Aion with its version metadata. */
public record KeyValue(byte[] value, String contentType, long revision, long createRevision, long version,
    String timestamp, long readRevision) {
  public String text() {
    return new String(value, StandardCharsets.UTF_8);
  }
}
