package io.aiondb.server.auth;

import io.aiondb.server.auth.AuthException.Reason;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * API keys for service accounts: {@code aion_<keyid>_<secret>}, exactly {@value #LENGTH} characters, where
 * {@code keyid} is {@value #KEY_ID_CHARS} characters of lower-case base32hex ({@code 0-9a-v}, 60 random bits, not
 * secret: it finds the stored record) and {@code secret} is {@value #SECRET_CHARS} characters of unpadded base64url
 * (256 random bits). Only SHA-256 of the secret is stored: a slow KDF buys nothing against 256 random bits and would
 * cost every request.
 *
 * <p>Guarantees: {@link #generate} shows the full key once and never again (its {@code toString} hides it);
 * {@link #parse} accepts the exact format only, with canonical base64url, else {@link Reason#MALFORMED};
 * {@link #matches} compares the secret's hash in constant time.
 */
public final class ApiKeys {
  public static final String PREFIX = "aion_";
  public static final int KEY_ID_CHARS = 12;
  public static final int SECRET_BYTES = 32;
  public static final int SECRET_CHARS = 43;
  public static final int LENGTH = PREFIX.length() + KEY_ID_CHARS + 1 + SECRET_CHARS;

  private static final String BASE32HEX = "0123456789abcdefghijklmnopqrstuv";
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {}

  /** What is stored for a key: its id and the lower-case hex SHA-256 of its secret bytes. Not secret by itself. */
  public record StoredKey(String keyId, String secretSha256) {
    public StoredKey {
      Objects.requireNonNull(keyId, "keyId");
      Objects.requireNonNull(secretSha256, "secretSha256");
    }
  }

  /** A new key: {@code key} to give to its owner once, {@code stored} to keep. */
  public record Generated(String key, StoredKey stored) {
    @Override
    public String toString() {
      return "Generated[keyId=" + stored.keyId() + "]"; // never the key itself
    }
  }

  /** A well-formed presented key: its id and its secret's bytes. */
  public record Presented(String keyId, byte[] secret) {
    @Override
    public String toString() {
      return "Presented[keyId=" + keyId + "]";
    }
  }

  /** A fresh random key and its record. */
  public static Generated generate() {
    byte[] id = new byte[KEY_ID_CHARS];
    RANDOM.nextBytes(id);
    StringBuilder keyId = new StringBuilder(KEY_ID_CHARS);
    for (byte b : id) keyId.append(BASE32HEX.charAt(b & 31));
    byte[] secret = new byte[SECRET_BYTES];
    RANDOM.nextBytes(secret);
    String key = PREFIX + keyId + "_" + Base64Url.encode(secret);
    return new Generated(key, new StoredKey(keyId.toString(), HexFormat.of().formatHex(sha256(secret))));
  }

  /** The parts of {@code key}, or {@link AuthException} ({@link Reason#MALFORMED}) unless it has the exact format. */
  public static Presented parse(String key) {
    if (key == null || key.length() != LENGTH || !key.startsWith(PREFIX)
        || key.charAt(PREFIX.length() + KEY_ID_CHARS) != '_') {
      throw malformed();
    }
    String keyId = key.substring(PREFIX.length(), PREFIX.length() + KEY_ID_CHARS);
    for (int i = 0; i < keyId.length(); i++) {
      if (BASE32HEX.indexOf(keyId.charAt(i)) < 0) throw malformed();
    }
    byte[] secret = Base64Url.decodeCanonical(key.substring(LENGTH - SECRET_CHARS));
    if (secret == null || secret.length != SECRET_BYTES) throw malformed();
    return new Presented(keyId, secret);
  }

  /** Whether {@code presented} is the key {@code stored} was made for; the secret is compared in constant time. */
  public static boolean matches(StoredKey stored, Presented presented) {
    if (stored == null || presented == null || presented.secret() == null) return false;
    byte[] expected;
    try {
      expected = HexFormat.of().parseHex(stored.secretSha256());
    } catch (IllegalArgumentException e) {
      return false;
    }
    boolean secretOk = expected.length == 32 && MessageDigest.isEqual(expected, sha256(presented.secret()));
    return secretOk & stored.keyId().equals(presented.keyId());
  }

  /** What is stored for a well-formed presented key (its id and its secret's SHA-256): to register a key made elsewhere. */
  public static StoredKey stored(Presented presented) {
    return new StoredKey(presented.keyId(), HexFormat.of().formatHex(sha256(presented.secret())));
  }

  private static AuthException malformed() {
    return new AuthException(Reason.MALFORMED, "not an API key (" + PREFIX + "<12 id chars>_<43 secret chars>)");
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
