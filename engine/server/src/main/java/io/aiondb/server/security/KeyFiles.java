package io.aiondb.server.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Key-encryption key files, as backups ({@code backup.encryption-key-file}) and encryption at rest
 * ({@code encryption.key-file}) read them: 32 bytes written as 64 hex digits or as base64, surrounding whitespace
 * ignored (e.g. {@code openssl rand -hex 32 > aion.key}). A key is named by its fingerprint, {@code kek-<16 hex>}: safe
 * to show and to store beside what it protects, useless to an attacker.
 */
public final class KeyFiles {
  private KeyFiles() {}

  /** The 32 key bytes in {@code file}. The message of a refusal names {@code what} and the file, never its content. */
  public static byte[] read(Path file, String what) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IOException(what + " " + file + " must hold 32 bytes as 64 hex digits or base64 text");
    }
    if (text.matches("[0-9a-fA-F]{64}")) return HexFormat.of().parseHex(text);
    try {
      byte[] b = Base64.getDecoder().decode(text);
      if (b.length == 32) return b;
    } catch (IllegalArgumentException ignored) {
      // reported below
    }
    throw new IOException(what + " " + file + " must hold 32 bytes as 64 hex digits or base64 text"
        + " (e.g. openssl rand -hex 32)");
  }

  /** The key's id: {@code kek-} and the first 8 bytes of HMAC-SHA256(key, "aion-backup/key-id") in hex. */
  public static String id(byte[] key) {
    return "kek-" + HexFormat.of().formatHex(hmac(key, "aion-backup/key-id".getBytes(StandardCharsets.UTF_8)), 0, 8);
  }

  /** HMAC-SHA256: the PRF every key derived from a KEK comes from. */
  public static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
