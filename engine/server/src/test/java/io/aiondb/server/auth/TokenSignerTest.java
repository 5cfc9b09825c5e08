package io.aiondb.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.auth.AuthException.Reason;
import io.aiondb.server.auth.Principal.Method;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class TokenSignerTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final byte[] K1 = key(1);
  private static final byte[] K2 = key(2);
  private static final Principal ALICE = Principal.user("alice", Method.PASSWORD_TOKEN);

  private static byte[] key(int seed) {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) k[i] = (byte) (seed * 31 + i);
    return k;
  }

  private static TokenSigner signer(Instant now, Map<String, byte[]> keys, String current) {
    return new TokenSigner(keys, current, Clock.fixed(now, ZoneOffset.UTC));
  }

  private static TokenSigner signer(Instant now) {
    return signer(now, Map.of("k1", K1), "k1");
  }

  private static void assertRefused(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call).isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  /** A token signed the way the format says, with any payload: what a holder of the key could make. */
  private static String sign(String kid, byte[] key, String json) throws Exception {
    String signed = "v1." + kid + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return signed + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String payload(String sub, String kind, long iat, long exp, String jti, String kid, long epoch) {
    return "{\"sub\":\"" + sub + "\",\"kind\":\"" + kind + "\",\"iat\":" + iat + ",\"exp\":" + exp + ",\"jti\":\""
        + jti + "\",\"kid\":\"" + kid + "\",\"epoch\":" + epoch + "}";
  }

  @Test
  void anIssuedTokenVerifiesAsItsPrincipalEpochJtiAndExpiry() {
    TokenSigner.Issued issued = signer(T0).issue(ALICE, 3, Duration.ofHours(1));
    assertThat(issued.token()).startsWith("v1.k1.").hasSizeLessThan(300)
        .matches("v1\\.k1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}");
    assertThat(issued.expiresAt()).isEqualTo(T0.plus(Duration.ofHours(1)));
    TokenSigner.Verified v = signer(T0.plusSeconds(60)).verify(issued.token());
    assertThat(v.principal()).isEqualTo(ALICE);
    assertThat(v.principal().display()).isEqualTo("user:alice");
    assertThat(v.jti()).isEqualTo(issued.jti());
    assertThat(v.epoch()).isEqualTo(3);
    assertThat(v.expiresAt()).isEqualTo(issued.expiresAt());

    Principal ci = Principal.service("ci-runner ünïcode \"quoted\"", Method.API_KEY);
    TokenSigner.Verified s = signer(T0).verify(signer(T0).issue(ci, 0, Duration.ofSeconds(1)).token());
    assertThat(s.principal()).isEqualTo(Principal.service(ci.name(), Method.PASSWORD_TOKEN));
  }

  @Test
  void thePayloadIsTheDocumentedJson() throws Exception {
    TokenSigner.Issued issued = signer(T0).issue(ALICE, 7, Duration.ofMinutes(5));
    String[] parts = issued.token().split("\\.");
    String json = new String(Base64.getUrlDecoder().decode(parts[2]), StandardCharsets.UTF_8);
    assertThat(json).isEqualTo(payload("alice", "user", T0.getEpochSecond(), T0.getEpochSecond() + 300,
        issued.jti(), "k1", 7));
    assertThat(sign("k1", K1, json)).isEqualTo(issued.token());
  }

  @Test
  void everyTokenHasItsOwnJti() {
    TokenSigner s = signer(T0);
    Set<String> jtis = new HashSet<>();
    for (int i = 0; i < 1000; i++) jtis.add(s.issue(ALICE, 0, Duration.ofHours(1)).jti());
    assertThat(jtis).hasSize(1000);
    assertThat(jtis.iterator().next()).matches("[A-Za-z0-9_-]{22}");
  }

  @Test
  void aTokenExpiresAtExpWithNoSkew() {
    String token = signer(T0).issue(ALICE, 0, Duration.ofHours(1)).token();
    Instant exp = T0.plus(Duration.ofHours(1));
    assertThat(signer(exp.minusSeconds(1)).verify(token).principal()).isEqualTo(ALICE);
    assertThat(signer(exp.minusMillis(1)).verify(token).principal()).isEqualTo(ALICE);
    assertRefused(() -> signer(exp).verify(token), Reason.EXPIRED);
    assertRefused(() -> signer(exp.plusSeconds(1)).verify(token), Reason.EXPIRED);
    assertRefused(() -> signer(exp.plus(Duration.ofDays(400))).verify(token), Reason.EXPIRED);
  }

  @Test
  void aTokenFromTheFutureIsValidOnlyWithin30SecondsOfSkew() {
    String token = signer(T0).issue(ALICE, 0, Duration.ofHours(1)).token();
    assertThat(signer(T0.minusSeconds(30)).verify(token).principal()).isEqualTo(ALICE);
    assertRefused(() -> signer(T0.minusSeconds(31)).verify(token), Reason.NOT_YET_VALID);
    assertRefused(() -> signer(T0.minus(Duration.ofDays(1))).verify(token), Reason.NOT_YET_VALID);
  }

  @Test
  void changingAnyCharacterOfTheTokenIsRefused() {
    String token = signer(T0).issue(ALICE, 1, Duration.ofHours(1)).token();
    TokenSigner verifier = signer(T0, Map.of("k1", K1, "k2", K2), "k1");
    int payloadStart = token.indexOf('.', 3) + 1;
    int macStart = token.lastIndexOf('.') + 1;
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int tried = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      // every other base64url character, a flipped low bit, and a few characters outside the alphabet
      StringBuilder replacements = new StringBuilder();
      for (char r : alphabet.toCharArray()) if (r != c) replacements.append(r);
      replacements.append((char) (c ^ 1)).append('.').append('=').append('+').append('\u00e9');
      for (char r : replacements.toString().toCharArray()) {
        if (r == c) continue;
        String tampered = token.substring(0, i) + r + token.substring(i + 1);
        ThrowingCallable verify = () -> verifier.verify(tampered);
        assertThatThrownBy(verify).as("character %d changed to %s", i, r).isInstanceOf(AuthException.class);
        if (i >= payloadStart && c != '.' && alphabet.indexOf(r) >= 0) {
          // still well-formed: caught by the MAC (the payload's last character can also be non-canonical)
          assertRefused(verify, Reason.BAD_SIGNATURE);
        }
        tried++;
      }
    }
    assertThat(tried).isGreaterThan(64 * (token.length() - 6));
    assertThat(macStart).isGreaterThan(payloadStart);
  }

  @Test
  void theMacIsCheckedBeforeThePayloadIsLookedAt() {
    String garbage = "v1.k1." + "e30" + "." + "A".repeat(43); // {} with a wrong MAC
    assertRefused(() -> signer(T0).verify(garbage), Reason.BAD_SIGNATURE);
    String notBase64Json = "v1.k1." + "_".repeat(2000) + "." + "A".repeat(43);
    assertRefused(() -> signer(T0).verify(notBase64Json), Reason.BAD_SIGNATURE);
    String deep = Base64.getUrlEncoder().withoutPadding()
        .encodeToString("[".repeat(2000).getBytes(StandardCharsets.US_ASCII));
    assertRefused(() -> signer(T0).verify("v1.k1." + deep + "." + "A".repeat(43)), Reason.BAD_SIGNATURE);
  }

  @Test
  void aTokenSignedWithAKeyThisNodeDoesNotHaveIsAnUnknownKey() {
    String k1Token = signer(T0).issue(ALICE, 0, Duration.ofHours(1)).token();
    assertRefused(() -> signer(T0, Map.of("k2", K2), "k2").verify(k1Token), Reason.UNKNOWN_KEY);
    // the kid names a key we have, but not the one it was signed with
    String relabelled = k1Token.replaceFirst("^v1\\.k1\\.", "v1.k2.");
    assertRefused(() -> signer(T0, Map.of("k1", K1, "k2", K2), "k1").verify(relabelled), Reason.BAD_SIGNATURE);
    // same kid, another key (a different cluster, or a key replaced without a new id)
    assertRefused(() -> signer(T0, Map.of("k1", K2), "k1").verify(k1Token), Reason.BAD_SIGNATURE);
    assertRefused(() -> signer(T0).verify("v1.k%." + k1Token.substring(6)), Reason.MALFORMED);
  }

  @Test
  void rotationSignsWithTheNewKeyAndStillVerifiesTheOld() {
    String old = signer(T0).issue(ALICE, 0, Duration.ofHours(1)).token();
    Map<String, byte[]> both = new LinkedHashMap<>();
    both.put("k1", K1);
    both.put("k2", K2);
    TokenSigner rotated = signer(T0, both, "k2");
    String fresh = rotated.issue(ALICE, 0, Duration.ofHours(1)).token();
    assertThat(fresh).startsWith("v1.k2.");
    assertThat(rotated.verify(old).principal()).isEqualTo(ALICE);
    assertThat(rotated.verify(fresh).principal()).isEqualTo(ALICE);
    TokenSigner retired = signer(T0, Map.of("k2", K2), "k2");
    assertThat(retired.verify(fresh).principal()).isEqualTo(ALICE);
    assertRefused(() -> retired.verify(old), Reason.UNKNOWN_KEY);
  }

  @Test
  void tokensLongerThan4096CharactersAreRefusedEvenWhenCorrectlySigned() throws Exception {
    long now = T0.getEpochSecond();
    String longJti = "j".repeat(2900);
    String valid = sign("k1", K1, payload("alice", "user", now, now + 60, longJti, "k1", 0));
    assertThat(valid.length()).isLessThanOrEqualTo(4096);
    assertThat(signer(T0).verify(valid).jti()).isEqualTo(longJti);
    String tooLong = sign("k1", K1, payload("alice", "user", now, now + 60, "j".repeat(3000), "k1", 0));
    assertThat(tooLong.length()).isGreaterThan(4096);
    assertThatThrownBy(() -> signer(T0).verify(tooLong)).isInstanceOfSatisfying(AuthException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED)).hasMessageContaining("longer than 4096");
  }

  @Test
  void malformedTokensAreRefusedAsMalformed() {
    String good = signer(T0).issue(ALICE, 0, Duration.ofHours(1)).token();
    String mac = good.substring(good.lastIndexOf('.') + 1);
    String[] bad = {
        null, "", "v1", "v1.", "v1.k1", "v1.k1.", "v1.k1.e30", "v1.k1.e30.", "v2" + good.substring(2),
        "V1" + good.substring(2), ".k1.e30." + mac, "v1..e30." + mac, "v1.k1.." + mac, "v1.k1.e30." + mac + ".x",
        "v1.k1.e30." + mac + "A", "v1.k1.e30." + mac.substring(1), "v1.k1.e30=." + mac, "v1.k1.e3 0." + mac,
        "v1.k1.e30." + mac.substring(0, 42) + "=", " " + good, good + " ", good + "\n", "Bearer " + good,
        "v1." + "k".repeat(65) + ".e30." + mac};
    for (String token : bad) {
      assertRefused(() -> signer(T0).verify(token), Reason.MALFORMED);
    }
  }

  @Test
  void aCorrectlySignedPayloadMustHaveExactlyTheDocumentedFields() throws Exception {
    long now = T0.getEpochSecond();
    String[] payloads = {
        "{}",
        "[]",
        "\"alice\"",
        "null",
        "not json",
        "{\"sub\":\"alice\",\"kind\":\"user\",\"iat\":" + now + ",\"exp\":" + (now + 60) + ",\"jti\":\"j\","
            + "\"kid\":\"k1\"}", // no epoch
        payload("alice", "user", now, now + 60, "j", "k1", 0).replace("}", ",\"admin\":true}"),
        payload("alice", "user", now, now + 60, "j", "k1", 0).replace("\"sub\":\"alice\"", "\"sub\":1"),
        payload("alice", "user", now, now + 60, "j", "k1", 0).replace("\"epoch\":0", "\"epoch\":\"0\""),
        payload("alice", "user", now, now + 60, "j", "k1", 0).replace("\"epoch\":0", "\"epoch\":0.5"),
        payload("alice", "user", now, now + 60, "j", "k1", 0).replace("\"epoch\":0", "\"epoch\":1e30"),
        payload("alice", "user", now, now + 60, "j", "k1", 0).replace("\"epoch\":0", "\"epoch\":99999999999999999999"),
        payload("alice", "user", now, now + 60, "j", "k2", 0), // inner kid differs from the outer one
        payload("alice", "anonymous", now, now + 60, "j", "k1", 0),
        payload("alice", "peer", now, now + 60, "j", "k1", 0),
        payload("", "user", now, now + 60, "j", "k1", 0),
        payload("alice", "user", now, now, "j", "k1", 0), // exp == iat
        payload("alice", "user", now, now + 60, "", "k1", 0),
        payload("alice", "user", now, now + 60, "j", "k1", -1),
        payload("alice", "user", now, now + 60, "j", "k1", 0).replace("{\"sub\":\"alice\",",
            "{\"sub\":\"root\",\"sub\":\"alice\","), // duplicate field, also one too many
    };
    for (String json : payloads) {
      String token = sign("k1", K1, json);
      assertThatThrownBy(() -> signer(T0).verify(token)).as(json).isInstanceOfSatisfying(AuthException.class,
          e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }
    // the reference payload itself verifies, so the refusals above are for the change each makes
    assertThat(signer(T0).verify(sign("k1", K1, payload("alice", "user", now, now + 60, "j", "k1", 0))).principal())
        .isEqualTo(ALICE);
  }

  @Test
  void keysAreAtLeast32BytesAndCopied() {
    assertThatThrownBy(() -> signer(T0, Map.of("k1", new byte[31]), "k1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("31 bytes").hasMessageContaining("at least 32");
    assertThatThrownBy(() -> signer(T0, Map.of(), "k1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> signer(T0, Map.of("k1", K1), "k2")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k2");
    assertThatThrownBy(() -> signer(T0, Map.of("k.1", K1), "k.1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> signer(T0, Map.of("", K1), "")).isInstanceOf(IllegalArgumentException.class);

    byte[] key = key(9);
    TokenSigner s = signer(T0, Map.of("k9", key), "k9");
    String token = s.issue(ALICE, 0, Duration.ofHours(1)).token();
    key[0] ^= 1; // the caller's array changes; the signer's key does not
    assertThat(s.verify(token).principal()).isEqualTo(ALICE);
  }

  @Test
  void issuingRefusesAnonymousNegativeEpochsAndLifetimesOutsideOneSecondTo30Days() {
    TokenSigner s = signer(T0);
    assertThatThrownBy(() -> s.issue(Principal.ANONYMOUS, 0, Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("anonymous");
    assertThatThrownBy(() -> s.issue(ALICE, -1, Duration.ofHours(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.issue(ALICE, 0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.issue(ALICE, 0, Duration.ofMillis(999))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.issue(ALICE, 0, Duration.ofSeconds(-5))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.issue(ALICE, 0, Duration.ofDays(30).plusSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(s.issue(ALICE, 0, Duration.ofDays(30)).expiresAt()).isEqualTo(T0.plus(Duration.ofDays(30)));
  }

  @Test
  void theIssuedTokenIsNotInToStringAndRefusalsCarryNoSecret() {
    TokenSigner.Issued issued = signer(T0).issue(ALICE, 0, Duration.ofHours(1));
    assertThat(issued.toString()).contains(issued.jti()).doesNotContain(issued.token());
    String tampered = issued.token().substring(0, issued.token().length() - 1) + "x";
    assertThatThrownBy(() -> signer(T0).verify(tampered)).hasMessageNotContaining(tampered)
        .hasMessageNotContaining(issued.token().substring(issued.token().lastIndexOf('.') + 1));
  }
}
