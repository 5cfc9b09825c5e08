package io.aiondb.server.backup;

import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Client-side encryption of backup objects (docs/backup.md "Encryption"). Each backup draws a random 256-bit data key;
 * the data key is stored in the manifest only wrapped (AES-256-GCM) by the key-encryption key (KEK) read from
 * {@code backup.encryption-key-file}, which never leaves the node. Objects are encrypted with Tink's streaming AEAD
 * (AES-256-GCM with an HKDF-SHA256 per-object key and 1 MiB segments, each authenticated: memory stays bounded and a
 * truncated, reordered or altered object fails to decrypt), with the object's name as associated data, so an object
 * moved to another name does not decrypt either. Object names are an HMAC of the content hash under a key derived from
 * the KEK and the data key's backup: they reveal nothing about the content, and a file unchanged since an earlier
 * backup under the same KEK is not uploaded again. The manifest of an encrypted backup holds no plaintext hash, and
 * carries an HMAC under a key derived from the KEK. The KEK itself is used for nothing but deriving those keys.
 */
public final class BackupCrypto {
  public static final String ALGORITHM = "AES256_GCM_HKDF_1MB";
  private static final int SEGMENT = 1 << 20;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A key-encryption key and its id (a fingerprint: safe to show, useless to an attacker). */
  public record Kek(String id, byte[] key) {
    @Override
    public String toString() {
      return "Kek[" + id + "]"; // never the key
    }
  }

  private final Kek current;
  private final Map<String, Kek> all = new LinkedHashMap<>();

  public BackupCrypto(Kek current, List<Kek> old) {
    this.current = current;
    all.put(current.id(), current);
    for (Kek k : old) all.putIfAbsent(k.id(), k);
  }

  /** A key for one purpose, derived from the KEK (HMAC-SHA256 as the PRF): the KEK itself is used for nothing else. */
  private static byte[] subkey(Kek k, String purpose) {
    return hmac(k.key(), ("aion-backup/" + purpose).getBytes(StandardCharsets.UTF_8));
  }

  private Kek kek(String keyId, String what) throws IOException {
    Kek k = all.get(keyId);
    if (k == null) {
      throw new IOException(what + " is wrapped by key " + keyId + "; this node has " + String.join(", ", all.keySet())
          + " (backup.encryption-key-file, backup.encryption-old-key-files)");
    }
    return k;
  }

  public boolean knows(String keyId) {
    return all.containsKey(keyId);
  }

  /**
   * Reads a KEK: 32 bytes written as 64 hex digits or as base64 (surrounding whitespace ignored), e.g. made with
   * {@code openssl rand -hex 32 > backup.key}. The message of a refusal never contains the file's content.
   */
  public static Kek load(Path file) throws IOException {
    byte[] key = io.aiondb.server.security.KeyFiles.read(file, "backup key file");
    return new Kek(io.aiondb.server.security.KeyFiles.id(key), key);
  }

  public String keyId() {
    return current.id();
  }

  public byte[] newDataKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  /** The data key wrapped by the current KEK, bound to the backup it belongs to: base64(nonce | ciphertext | tag). */
  public String wrap(byte[] dataKey, String backupId) {
    try {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(subkey(current, "wrap"), "AES"), new GCMParameterSpec(128, nonce));
      c.updateAAD(("aion-backup-data-key/" + backupId).getBytes(StandardCharsets.UTF_8));
      byte[] ct = c.doFinal(dataKey);
      byte[] out = new byte[12 + ct.length];
      System.arraycopy(nonce, 0, out, 0, 12);
      System.arraycopy(ct, 0, out, 12, ct.length);
      return Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable: " + e, e);
    }
  }

  /** Unwraps a data key of backup {@code backupId}, wrapped by the KEK {@code keyId}. */
  public byte[] unwrap(String wrapped, String backupId, String keyId) throws IOException {
    Kek k = kek(keyId, "the data key of backup " + backupId);
    try {
      byte[] b = Base64.getDecoder().decode(wrapped);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(subkey(k, "wrap"), "AES"), new GCMParameterSpec(128, b, 0, 12));
      c.updateAAD(("aion-backup-data-key/" + backupId).getBytes(StandardCharsets.UTF_8));
      return c.doFinal(b, 12, b.length - 12);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException("the data key of backup " + backupId + " does not unwrap with key " + keyId
          + " (damaged manifest, or another key with the same id)");
    }
  }

  /**
   * The store name of a file with this content (hex SHA-256) encrypted with the data key of backup {@code dataKeyId},
   * under the KEK {@code keyId}. The data key is part of the name, so an object name always holds one ciphertext: a
   * backup never overwrites an object another backup's manifest names with other bytes.
   */
  public String objectName(String keyId, String sha256Hex, String dataKeyId) throws IOException {
    byte[] nameKey = subkey(kek(keyId, "object names"), "object-names");
    return "objects/" + HexFormat.of().formatHex(hmac(nameKey,
        (sha256Hex + "/" + dataKeyId).getBytes(StandardCharsets.US_ASCII)));
  }

  /** HMAC of a manifest's bytes under the KEK {@code keyId}: an altered or swapped manifest does not restore. */
  public String manifestMac(String keyId, byte[] manifest) throws IOException {
    return HexFormat.of().formatHex(hmac(subkey(kek(keyId, "the manifest"), "manifest-mac"), manifest));
  }

  public long ciphertextSize(long plaintextSize) {
    return aead(new byte[32]).expectedCiphertextSize(plaintextSize);
  }

  public OutputStream encrypting(byte[] dataKey, OutputStream out, String objectKey) throws IOException {
    try {
      return aead(dataKey).newEncryptingStream(out, objectKey.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot encrypt " + objectKey + ": " + e.getMessage(), e);
    }
  }

  /** Decrypts as it reads; a damaged or misplaced object fails with an IOException from read. */
  public InputStream decrypting(byte[] dataKey, InputStream in, String objectKey) throws IOException {
    try {
      return aead(dataKey).newDecryptingStream(in, objectKey.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot decrypt " + objectKey + ": " + e.getMessage(), e);
    }
  }

  private static AesGcmHkdfStreaming aead(byte[] key) {
    try {
      return new AesGcmHkdfStreaming(key, "HmacSha256", 32, SEGMENT, 0);
    } catch (java.security.InvalidAlgorithmParameterException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    return io.aiondb.server.security.KeyFiles.hmac(key, data);
  }
}
