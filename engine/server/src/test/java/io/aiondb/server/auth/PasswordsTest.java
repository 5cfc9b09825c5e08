package io.aiondb.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Argon2id hashes in the PHC format. The known answers come from the reference implementation (libargon2 20190702,
 * {@code argon2id_hash_encoded}), so hashes made here verify elsewhere and the other way round.
 */
class PasswordsTest {
  private static final char[] PASSWORD = "correct horse battery staple".toCharArray();

  /** libargon2: t=2, m=19456, p=1, salt 00..0f, 32-byte hash: what {@link Passwords#hash} makes. */
  private static final String REFERENCE =
      "$argon2id$v=19$m=19456,t=2,p=1$AAECAwQFBgcICQoLDA0ODw$gYJZtjEAJqjg26xdLmknq8/bB7MiWPrE9hsYuA+SkIU";
  /** libargon2, password "pässwörd ☃" (UTF-8), salt "saltsaltsaltsalt". */
  private static final String REFERENCE_UNICODE =
      "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$RHfJYI1tZd/0LwBrcXOnQAyzGr3GGuGyuprf5iQiuUs";
  /** libargon2 with other parameters, salt and hash lengths, all within the bounds. */
  private static final List<String> REFERENCE_OTHER_PARAMETERS = List.of(
      "$argon2id$v=19$m=64,t=1,p=2$MTIzNDU2Nzg$hdzU75V//rPEhq+B1Qztaw",
      "$argon2id$v=19$m=256,t=3,p=1$AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0"
          + "+Pw$CEasxwfguqGC+VPSe4IBMFPczfgezJhw2/cnKOT+q6UmQtnSfgrcwTvjwVAEP1/Azv6dWYlS4TyULmxxuiuewA",
      "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$E/9XOcEJe3mPXG7g015mjI/Ptw7gpcl7bw+7BNqI9bQ");

  @Test
  void aHashVerifiesItsPasswordAndNoOther() {
    String encoded = Passwords.hash(PASSWORD);
    assertThat(encoded).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(Passwords.verify(PASSWORD, encoded)).isTrue();
    assertThat(Passwords.verify("correct horse battery stapler".toCharArray(), encoded)).isFalse();
    assertThat(Passwords.verify("Correct horse battery staple".toCharArray(), encoded)).isFalse();
    assertThat(Passwords.verify(new char[0], encoded)).isFalse();
    assertThat(Passwords.verify(null, encoded)).isFalse();
  }

  @Test
  void everyHashHasItsOwnSalt() {
    String a = Passwords.hash(PASSWORD);
    String b = Passwords.hash(PASSWORD);
    assertThat(a).isNotEqualTo(b);
    assertThat(a.split("\\$")[4]).isNotEqualTo(b.split("\\$")[4]);
  }

  @Test
  void hashesAreTheReferenceImplementations() {
    byte[] salt = new byte[16];
    for (int i = 0; i < 16; i++) salt[i] = (byte) i;
    assertThat(Passwords.hash(PASSWORD, salt)).isEqualTo(REFERENCE);
    assertThat(Passwords.hash("pässwörd ☃".toCharArray(), "saltsaltsaltsalt".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(REFERENCE_UNICODE);
    assertThat(Passwords.verify(PASSWORD, REFERENCE)).isTrue();
    assertThat(Passwords.verify("pässwörd ☃".toCharArray(), REFERENCE_UNICODE)).isTrue();
    assertThat(Passwords.verify("passwörd ☃".toCharArray(), REFERENCE_UNICODE)).isFalse();
  }

  @Test
  void parametersAreReadFromTheStoredHash() {
    for (String encoded : REFERENCE_OTHER_PARAMETERS) {
      assertThat(Passwords.verify(PASSWORD, encoded)).as(encoded).isTrue();
      assertThat(Passwords.verify("wrong".toCharArray(), encoded)).as(encoded).isFalse();
    }
  }

  @Test
  void aCorrectHashWithParametersBeyondTheBoundsIsRefused() {
    // right password, right hash (libargon2), but 11 passes or 9 lanes: a stored string may not choose the cost
    assertThat(Passwords.verify(PASSWORD,
        "$argon2id$v=19$m=64,t=11,p=1$c2FsdHNhbHRzYWx0c2FsdA$JIXnR44YlvVA3cNY1bzjPmJTiKRWZwZll51jkZH10A4")).isFalse();
    assertThat(Passwords.verify(PASSWORD,
        "$argon2id$v=19$m=72,t=1,p=9$c2FsdHNhbHRzYWx0c2FsdA$Fmi854a9HOVedBmtLFLD3ORyFSfr32RrKJoe403iEj0")).isFalse();
  }

  @Test
  void hostileOrMalformedStoredHashesAreFalseWithoutRunningArgon2() {
    String salt = "c2FsdHNhbHRzYWx0c2FsdA";
    String hash = "E/9XOcEJe3mPXG7g015mjI/Ptw7gpcl7bw+7BNqI9bQ";
    List<String> hostile = new ArrayList<>(List.of(
        "$argon2id$v=19$m=1048577,t=1,p=1$" + salt + "$" + hash, // 1 GiB + 1 KiB
        "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + hash, // 4 GiB
        "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + hash,
        "$argon2id$v=19$m=99999999999,t=1,p=1$" + salt + "$" + hash,
        "$argon2id$v=19$m=-1,t=1,p=1$" + salt + "$" + hash,
        "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + hash,
        "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + hash,
        "$argon2id$v=19$m=,t=1,p=1$" + salt + "$" + hash,
        "$argon2id$v=19$m=7,t=1,p=1$" + salt + "$" + hash, // less than 8 KiB per lane
        "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + hash,
        "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + hash,
        "$argon2id$v=19$m=1024,t=4294967295,p=1$" + salt + "$" + hash,
        "$argon2id$v=19$m=1024,t=1,p=4294967295$" + salt + "$" + hash,
        "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + hash, // parameters out of order
        "$argon2id$v=19$m=64,t=1$" + salt + "$" + hash,
        "$argon2id$v=19$m=64,t=1,p=1,k=1$" + salt + "$" + hash,
        "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + hash,
        "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + hash,
        "$ARGON2ID$v=19$m=64,t=1,p=1$" + salt + "$" + hash,
        "$argon2id$v=19$m=8,t=1,p=1$" + salt + "=$" + hash, // padding
        "$argon2id$v=19$m=8,t=1,p=1$" + salt + "$" + hash + "=",
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdB$" + hash, // non-canonical last character
        "$argon2id$v=19$m=8,t=1,p=1$c2Fsd*NhbHRzYWx0c2FsdA$" + hash, // not base64
        "$argon2id$v=19$m=8,t=1,p=1$c2Fsd-NhbHRzYWx0c2FsdA$" + hash, // base64url, not base64
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNh$" + hash, // 6-byte salt
        "$argon2id$v=19$m=8,t=1,p=1$" + salt + "$E/9XOcEJe3mPXG7g", // 12-byte hash
        "$argon2id$v=19$m=8,t=1,p=1$" + salt + "$" + "A".repeat(100), // 75-byte hash
        "$argon2id$v=19$m=8,t=1,p=1$" + salt + "$" + hash + "$",
        "$argon2id$v=19$m=8,t=1,p=1$" + salt,
        "$argon2id$v=19$m=8,t=1,p=1$$" + hash,
        " $argon2id$v=19$m=8,t=1,p=1$" + salt + "$" + hash,
        "$argon2id$v=19$m=8,t=1,p=1$" + salt + "$" + "A".repeat(10_000_000),
        "",
        "$",
        "plain text password"));
    hostile.add(null);
    Passwords.verify(PASSWORD, "warm up"); // load the classes a first call loads, outside the measurement
    for (String encoded : hostile) {
      long before = allocatedBytes();
      long start = System.nanoTime();
      boolean ok = Passwords.verify(PASSWORD, encoded);
      long allocated = allocatedBytes() - before;
      String shown = encoded == null ? null : encoded.substring(0, Math.min(encoded.length(), 80));
      assertThat(ok).as(shown).isFalse();
      assertThat(allocated).as("bytes allocated for %s", shown).isLessThan(64 * 1024);
      assertThat(System.nanoTime() - start).as("time for %s", shown).isLessThan(500_000_000L);
    }
    // the probe sees Argon2: a real verification at the default parameters allocates its 19 MiB
    long before = allocatedBytes();
    assertThat(Passwords.verify(PASSWORD, REFERENCE)).isTrue();
    assertThat(allocatedBytes() - before).isGreaterThan(19L * 1024 * 1024);
  }

  @Test
  void newPasswordsHave8To1024CharactersOfUnicode() {
    Passwords.validateNew("12345678".toCharArray());
    Passwords.validateNew("x".repeat(1024).toCharArray());
    assertThatThrownBy(() -> Passwords.validateNew("1234567".toCharArray()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("a password must have at least 8 characters");
    assertThatThrownBy(() -> Passwords.validateNew(new char[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Passwords.validateNew(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Passwords.validateNew("y".repeat(1025).toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a password must have at most 1024 characters, not 1025");
    char[] loneSurrogate = "abcdefgh\uD800".toCharArray();
    assertThatThrownBy(() -> Passwords.validateNew(loneSurrogate)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unicode").hasMessageNotContaining("abcdefgh");
  }

  @Test
  void aPasswordThatIsNotUnicodeIsNeverConfusedWithAnother() {
    // encoding with replacement would make "\uD800xyz" and "?xyz" the same password
    assertThatThrownBy(() -> Passwords.hash("\uD800xyzxyzxyz".toCharArray()))
        .isInstanceOf(IllegalArgumentException.class);
    String questionMark = Passwords.hash("?xyzxyzxyz".toCharArray());
    assertThat(Passwords.verify("\uD800xyzxyzxyz".toCharArray(), questionMark)).isFalse();
    assertThat(Passwords.verify("?xyzxyzxyz".toCharArray(), questionMark)).isTrue();
  }

  @Test
  void theCallersPasswordArrayIsLeftAsItWas() {
    char[] password = "s3cret-password".toCharArray();
    String encoded = Passwords.hash(password);
    assertThat(password).containsExactly("s3cret-password".toCharArray());
    assertThat(Passwords.verify(password, encoded)).isTrue();
    assertThat(password).containsExactly("s3cret-password".toCharArray());
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }
}
