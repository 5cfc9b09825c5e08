package io.aiondb.client;

import java.nio.charset.StandardCharsets;

/** A value read from Aion with its version metadata. */
public record KeyValue(byte[] value, String contentType, long revision, long createRevision, long version,
    String timestamp, long readRevision) {
  /** True for a delete's tombstone (history listings include them; current reads never return one). */
  public boolean deleted() {
    return version == 0;
  }

  public String text() {
    return new String(value, StandardCharsets.UTF_8);
  }
}
