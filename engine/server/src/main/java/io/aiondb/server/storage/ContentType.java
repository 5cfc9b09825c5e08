package io.aiondb.server.storage;

/** The media type a value was written with. Stored as one byte. */
public enum ContentType {
  OCTET_STREAM((byte) 0, "application/octet-stream"),
  JSON((byte) 1, "application/json"),
  TEXT((byte) 2, "text/plain; charset=utf-8");

  private final byte code;
  private final String mediaType;

  ContentType(byte code, String mediaType) {
    this.code = code;
    this.mediaType = mediaType;
  }

  public byte code() {
    return code;
  }

  public String mediaType() {
    return mediaType;
  }

  public static ContentType of(byte code) {
    for (ContentType t : values()) if (t.code == code) return t;
    throw new IllegalArgumentException("unknown content type code " + code);
  }

  /** Parses a request's Content-Type header; null when the type is not one Aion stores. A missing header is octet-stream. */
  public static ContentType fromHeader(String header) {
    if (header == null || header.isBlank()) return OCTET_STREAM;
    String base = header.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    return switch (base) {
      case "application/octet-stream" -> OCTET_STREAM;
      case "application/json" -> JSON;
      case "text/plain" -> TEXT;
      default -> null;
    };
  }
}
