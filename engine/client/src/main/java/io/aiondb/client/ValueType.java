package io.aiondb.client;

/** How a value is stored and shown: bytes, JSON or UTF-8 text. */
public enum ValueType {
  BINARY(0, "application/octet-stream"),
  JSON(1, "application/json"),
  TEXT(2, "text/plain; charset=utf-8");

  final int code;
  final String mediaType;

  ValueType(int code, String mediaType) {
    this.code = code;
    this.mediaType = mediaType;
  }

  public String mediaType() {
    return mediaType;
  }

  static ValueType of(int code) {
    for (ValueType t : values()) if (t.code == code) return t;
    throw new IllegalStateException("protocol error: content type " + code);
  }
}
