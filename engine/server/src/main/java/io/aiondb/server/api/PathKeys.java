package io.aiondb.server.api;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import java.io.ByteArrayOutputStream;

/** Keys travel in URL paths percent-encoded; they are byte strings, so decoding yields bytes, not text. */
public final class PathKeys {
  private PathKeys() {}

  /** Decodes {@code %XX} escapes of a raw path segment (a literal '/' is kept, so unencoded slashes work too). */
  public static byte[] decode(String raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) throw bad(raw);
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) throw bad(raw);
        out.write((hi << 4) | lo);
        i += 2;
      } else if (c < 0x80) {
        out.write(c);
      } else {
        byte[] b = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toByteArray();
  }

  /** Percent-encodes every byte outside the unreserved set (for links and docs). */
  public static String encode(byte[] key) {
    StringBuilder sb = new StringBuilder();
    for (byte b : key) {
      int c = b & 0xFF;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  private static AionException bad(String raw) {
    return new AionException(ErrorCode.INVALID_KEY, "malformed percent-encoding in key '" + raw + "'");
  }
}
