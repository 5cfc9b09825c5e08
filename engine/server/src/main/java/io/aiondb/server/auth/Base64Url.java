package io.aiondb.server.auth;

import java.util.Base64;

/** Unpadded base64url (RFC 4648 §5), strictly: only the 64 characters, canonical encodings only. */
final class Base64Url {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private Base64Url() {}

  static String encode(byte[] b) {
    return ENCODER.encodeToString(b);
  }

  static boolean isAlphabet(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  }

  /** Whether {@code s} is non-empty and made only of base64url characters. */
  static boolean isAlphabet(String s, int from, int to) {
    if (from >= to) return false;
    for (int i = from; i < to; i++) {
      if (!isAlphabet(s.charAt(i))) return false;
    }
    return true;
  }

  /**
   * The bytes of {@code s}, or null unless it is the canonical unpadded encoding of them (no padding, no other
   * character, no set bits in the unused low bits of the last character): one byte string, one text.
   */
  static byte[] decodeCanonical(String s) {
    if (!isAlphabet(s, 0, s.length())) return null;
    try {
      byte[] b = DECODER.decode(s);
      return ENCODER.encodeToString(b).equals(s) ? b : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
