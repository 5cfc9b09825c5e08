package io.aiondb.server.auth;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Password hashing with Argon2id (BouncyCastle), in the PHC string format that other Argon2 implementations read and
 * write: {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} (standard base64 without padding). New hashes use
 * OWASP's minimum parameters (19 MiB, 2 passes, 1 lane), a 16-byte salt from {@link SecureRandom} and a 32-byte hash.
 *
 * <p>Guarantees of {@link #verify}: it answers {@code false}, never throws, for anything but a well-formed hash it
 * could have produced; it reads the parameters from the stored string but refuses, before running Argon2 or decoding
 * anything, memory above {@value #MAX_MEMORY_KIB} KiB, more than {@value #MAX_ITERATIONS} passes or
 * {@value #MAX_PARALLELISM} lanes, and strings longer than {@value #MAX_ENCODED_LENGTH} characters, so a hostile stored
 * string cannot make a login allocate gigabytes or spin; hashes are compared in constant time. Password bytes are
 * zeroed after use; the caller owns (and should zero) its {@code char[]}.
 */
public final class Passwords {
  public static final int MEMORY_KIB = 19_456;
  public static final int ITERATIONS = 2;
  public static final int PARALLELISM = 1;
  public static final int SALT_BYTES = 16;
  public static final int HASH_BYTES = 32;

  /** Policy for new passwords (see {@link #validateNew}). */
  public static final int MIN_LENGTH = 8;
  public static final int MAX_LENGTH = 1024;

  /** Bounds on parameters read from a stored hash: 64 MiB, 10 passes, 8 lanes (a login allocates m KiB). */
  static final int MAX_MEMORY_KIB = 1 << 16;
  static final int MAX_ITERATIONS = 10;
  static final int MAX_PARALLELISM = 8;
  static final int MAX_ENCODED_LENGTH = 256;
  static final int MIN_SALT_BYTES = 8;
  static final int MAX_SALT_BYTES = 64;
  static final int MIN_HASH_BYTES = 16;
  static final int MAX_HASH_BYTES = 64;

  private static final String PREFIX = "$argon2id$v=19$";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

  private Passwords() {}

  /**
   * Throws {@link IllegalArgumentException} unless a new password is {@value #MIN_LENGTH} to {@value #MAX_LENGTH}
   * characters ({@code char}s) of valid Unicode. The message never contains the password.
   */
  public static void validateNew(char[] password) {
    if (password == null || password.length < MIN_LENGTH) {
      throw new IllegalArgumentException("a password must have at least " + MIN_LENGTH + " characters");
    }
    if (password.length > MAX_LENGTH) {
      throw new IllegalArgumentException("a password must have at most " + MAX_LENGTH + " characters, not "
          + password.length);
    }
    Arrays.fill(utf8(password), (byte) 0); // throws on an unpaired surrogate
  }

  /**
   * The PHC string of {@code password} under a fresh random salt and the default parameters. Applies no policy (call
   * {@link #validateNew} for a password a user chose); {@link IllegalArgumentException} for invalid Unicode.
   */
  public static String hash(char[] password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return hash(password, salt);
  }

  /** {@link #hash(char[])} with a given salt: for known-answer tests only. */
  static String hash(char[] password, byte[] salt) {
    byte[] out = argon2(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
    return PREFIX + "m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$" + B64.encodeToString(salt) + "$"
        + B64.encodeToString(out);
  }

  /**
   * Whether {@code password} is the one {@code encoded} was made from. False, without running Argon2, when
   * {@code encoded} is not a well-formed Argon2id v19 PHC string within the bounds in the class comment.
   */
  public static boolean verify(char[] password, String encoded) {
    if (password == null) return false;
    Parsed p = parse(encoded);
    if (p == null) return false;
    try {
      byte[] actual = argon2(password, p.salt, p.memoryKib, p.iterations, p.parallelism, p.hash.length);
      return MessageDigest.isEqual(actual, p.hash);
    } catch (IllegalArgumentException notUnicode) {
      return false;
    }
  }

  private record Parsed(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {}

  /** The parts of a stored hash, or null when it is malformed or out of bounds; bounds are checked before decoding. */
  private static Parsed parse(String encoded) {
    if (encoded == null || encoded.length() > MAX_ENCODED_LENGTH || !encoded.startsWith(PREFIX)) return null;
    String[] parts = encoded.substring(PREFIX.length()).split("\\$", -1);
    if (parts.length != 3) return null;
    String[] params = parts[0].split(",", -1);
    if (params.length != 3) return null;
    long m = number(params[0], "m=");
    long t = number(params[1], "t=");
    long p = number(params[2], "p=");
    if (p < 1 || p > MAX_PARALLELISM || t < 1 || t > MAX_ITERATIONS || m < 8 * p || m > MAX_MEMORY_KIB) return null;
    byte[] salt = base64(parts[1], MIN_SALT_BYTES, MAX_SALT_BYTES);
    byte[] hash = base64(parts[2], MIN_HASH_BYTES, MAX_HASH_BYTES);
    if (salt == null || hash == null) return null;
    return new Parsed((int) m, (int) t, (int) p, salt, hash);
  }

  /** The decimal after {@code name} (no sign, no leading zero, at most 10 digits), or -1. */
  private static long number(String s, String name) {
    if (!s.startsWith(name)) return -1;
    String digits = s.substring(name.length());
    if (digits.isEmpty() || digits.length() > 10 || (digits.length() > 1 && digits.charAt(0) == '0')) return -1;
    long v = 0;
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Canonical unpadded standard base64 of {@code min..max} bytes (length checked before decoding), or null. */
  private static byte[] base64(String s, int min, int max) {
    if (s.length() < (min * 4 + 2) / 3 || s.length() > (max * 4 + 2) / 3) return null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
      if (!ok) return null;
    }
    try {
      byte[] b = Base64.getDecoder().decode(s);
      if (b.length < min || b.length > max || !B64.encodeToString(b).equals(s)) return null;
      return b;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] argon2(char[] password, byte[] salt, int memoryKib, int iterations, int parallelism,
      int length) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(memoryKib)
        .withIterations(iterations)
        .withParallelism(parallelism)
        .withSalt(salt)
        .build();
    byte[] pwd = utf8(password);
    try {
      Argon2BytesGenerator generator = new Argon2BytesGenerator();
      generator.init(params);
      byte[] out = new byte[length];
      generator.generateBytes(pwd, out);
      return out;
    } finally {
      Arrays.fill(pwd, (byte) 0);
      params.clear();
    }
  }

  /**
   * UTF-8 bytes of a password without making a String of it (Strings cannot be zeroed). An unpaired surrogate is an
   * {@link IllegalArgumentException}, not a '?': two different passwords must never hash alike.
   */
  private static byte[] utf8(char[] password) {
    ByteBuffer buf;
    try {
      buf = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(password));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("a password must be valid Unicode (it has an unpaired surrogate)");
    }
    byte[] bytes = new byte[buf.remaining()];
    buf.get(bytes);
    if (buf.hasArray()) Arrays.fill(buf.array(), (byte) 0);
    return bytes;
  }
}
