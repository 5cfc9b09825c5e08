package io.aiondb.server.auth;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.auth.AuthException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and verifies session tokens: {@code v1.<kid>.<payload>.<mac>}, where {@code kid} names the signing key,
 * {@code payload} is base64url (unpadded) of {@code {"sub","kind","iat","exp","jti","kid","epoch"}} (times in epoch
 * seconds) and {@code mac} is base64url of HMAC-SHA256, under that key, of the ASCII text {@code v1.<kid>.<payload>}.
 * Tokens are signed, not stored: any node holding the keys verifies any token with no round trip.
 *
 * <p>Guarantees of {@link #verify}: a token longer than {@value #MAX_TOKEN_LENGTH} characters, with a character outside
 * base64url and '.', or of the wrong shape is {@link Reason#MALFORMED} before anything is decoded; the key is chosen by
 * the {@code kid} part (checked against a fixed alphabet, never interpreted further) and the MAC is compared in
 * constant time <em>before</em> the payload is decoded or given to the JSON parser, so unauthenticated input never
 * reaches Jackson; the {@code kid} inside the payload must repeat the one outside. A token is valid from {@code iat}
 * (less {@value #CLOCK_SKEW_SECONDS} s of allowed clock skew) until just before {@code exp} (no skew): {@code exp} is
 * the first second it is refused. Revocation (the user's epoch, the jti deny list) is the caller's job, with the
 * {@link Verified} fields.
 *
 * <p>Keys are at least {@value #MIN_KEY_BYTES} bytes; rotation is a new signer with the new key as current and the old
 * ones kept until their tokens have expired. Thread-safe.
 */
public final class TokenSigner {
  public static final int MAX_TOKEN_LENGTH = 4096;
  public static final int MIN_KEY_BYTES = 32;
  public static final long CLOCK_SKEW_SECONDS = 30;
  /** The longest lifetime {@link #issue} accepts: the jti deny list is kept as long as this. */
  public static final Duration MAX_TTL = Duration.ofDays(30);

  private static final String VERSION = "v1";
  private static final int MAX_KID_CHARS = 64;
  private static final Pattern KID = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_KID_CHARS + "}");
  private static final int MAC_CHARS = 43; // 32 bytes, unpadded base64url
  private static final Set<String> FIELDS = Set.of("sub", "kind", "iat", "exp", "jti", "kid", "epoch");
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, SecretKeySpec> keys;
  private final String currentKid;
  private final Clock clock;

  /** A token just issued: give {@code token} to the client, keep {@code jti} and {@code expiresAt} for revocation. */
  public record Issued(String token, String jti, Instant expiresAt) {
    @Override
    public String toString() {
      return "Issued[jti=" + jti + ", expiresAt=" + expiresAt + "]"; // never the token itself
    }
  }

  /** What a valid token says: who, which token, at which epoch of the user's tokens, until when. */
  public record Verified(Principal principal, String jti, long epoch, Instant expiresAt) {}

  /**
   * @param keysByKid  every key a token may be signed with, by key id ({@code [A-Za-z0-9_-]{1,64}}), each at least
   *                   {@value #MIN_KEY_BYTES} bytes; copied
   * @param currentKid the key new tokens are signed with; one of {@code keysByKid}
   * @param clock      the time of issue and of verification
   */
  public TokenSigner(Map<String, byte[]> keysByKid, String currentKid, Clock clock) {
    Objects.requireNonNull(keysByKid, "keysByKid");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (keysByKid.isEmpty()) throw new IllegalArgumentException("at least one signing key is required");
    Map<String, SecretKeySpec> copy = new LinkedHashMap<>();
    for (var e : keysByKid.entrySet()) {
      String kid = e.getKey();
      if (kid == null || !KID.matcher(kid).matches()) {
        throw new IllegalArgumentException("a signing key id must be 1-64 characters of A-Z, a-z, 0-9, '_', '-': "
            + kid);
      }
      byte[] key = Objects.requireNonNull(e.getValue(), "key " + kid);
      if (key.length < MIN_KEY_BYTES) {
        throw new IllegalArgumentException("signing key " + kid + " is " + key.length + " bytes; at least "
            + MIN_KEY_BYTES + " are required");
      }
      copy.put(kid, new SecretKeySpec(key.clone(), "HmacSHA256"));
    }
    if (!copy.containsKey(currentKid)) {
      throw new IllegalArgumentException("the current signing key id " + currentKid + " is not among the keys");
    }
    this.keys = Collections.unmodifiableMap(copy);
    this.currentKid = currentKid;
  }

  /**
   * A token for {@code principal} (a user or service account, not anonymous), valid from now for {@code ttl} (whole
   * seconds, 1 s to {@link #MAX_TTL}), carrying the account's current token {@code epoch} (non-negative).
   */
  public Issued issue(Principal principal, long epoch, Duration ttl) {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(ttl, "ttl");
    if (principal.kind() == Principal.Kind.ANONYMOUS) {
      throw new IllegalArgumentException("no token is issued to the anonymous principal");
    }
    if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, not " + epoch);
    if (ttl.getSeconds() < 1 || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("a token lifetime must be 1 s to " + MAX_TTL.toDays() + " days, not " + ttl);
    }
    long iat = clock.instant().getEpochSecond();
    long exp = iat + ttl.getSeconds();
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    String jti = Base64Url.encode(id);
    ObjectNode payload = JSON.createObjectNode()
        .put("sub", principal.name())
        .put("kind", principal.kind().wire())
        .put("iat", iat)
        .put("exp", exp)
        .put("jti", jti)
        .put("kid", currentKid)
        .put("epoch", epoch);
    String signed;
    try {
      signed = VERSION + "." + currentKid + "." + Base64Url.encode(JSON.writeValueAsBytes(payload));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    String token = signed + "." + mac(keys.get(currentKid), signed);
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw new IllegalArgumentException("the token would be longer than " + MAX_TOKEN_LENGTH + " characters");
    }
    return new Issued(token, jti, Instant.ofEpochSecond(exp));
  }

  /** What {@code token} says, if it is one of ours, untampered and current; else an {@link AuthException}. */
  public Verified verify(String token) {
    if (token == null || token.isEmpty()) throw new AuthException(Reason.MALFORMED, "no token");
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw new AuthException(Reason.MALFORMED, "token longer than " + MAX_TOKEN_LENGTH + " characters");
    }
    // v1.<kid>.<payload>.<mac>: exactly three dots, every other character base64url
    int d1 = token.indexOf('.');
    int d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1);
    int d3 = d2 < 0 ? -1 : token.indexOf('.', d2 + 1);
    if (d3 < 0 || token.indexOf('.', d3 + 1) >= 0 || !token.substring(0, d1).equals(VERSION)
        || !Base64Url.isAlphabet(token, d1 + 1, d2) || !Base64Url.isAlphabet(token, d2 + 1, d3)
        || !Base64Url.isAlphabet(token, d3 + 1, token.length()) || token.length() - d3 - 1 != MAC_CHARS
        || d2 - d1 - 1 > MAX_KID_CHARS) {
      throw new AuthException(Reason.MALFORMED, "not a v1 token");
    }
    String kid = token.substring(d1 + 1, d2);
    SecretKeySpec key = keys.get(kid);
    if (key == null) throw new AuthException(Reason.UNKNOWN_KEY, "token signed with an unknown key");
    String signed = token.substring(0, d3);
    byte[] expected = mac(key, signed).getBytes(StandardCharsets.US_ASCII);
    byte[] presented = token.substring(d3 + 1).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, presented)) {
      throw new AuthException(Reason.BAD_SIGNATURE, "token signature does not verify");
    }
    // Authenticated from here on: the payload is one we issued (or the key has leaked).
    Claims c = claims(token.substring(d2 + 1, d3), kid);
    long now = clock.instant().getEpochSecond();
    if (c.iat > now + CLOCK_SKEW_SECONDS) throw new AuthException(Reason.NOT_YET_VALID, "token not valid yet");
    if (now >= c.exp) throw new AuthException(Reason.EXPIRED, "token expired");
    return new Verified(c.principal, c.jti, c.epoch, Instant.ofEpochSecond(c.exp));
  }

  private record Claims(Principal principal, long iat, long exp, String jti, long epoch) {}

  /** The claims of an authenticated payload, strictly: exactly the seven fields, each of its type. */
  private static Claims claims(String payload, String kid) {
    byte[] json = Base64Url.decodeCanonical(payload);
    if (json == null) throw malformedPayload();
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw malformedPayload();
    }
    if (n == null || !n.isObject() || n.size() != FIELDS.size()) throw malformedPayload();
    for (String f : FIELDS) {
      if (!n.has(f)) throw malformedPayload();
    }
    JsonNode sub = n.get("sub");
    JsonNode kind = n.get("kind");
    JsonNode jti = n.get("jti");
    JsonNode innerKid = n.get("kid");
    if (!sub.isTextual() || !kind.isTextual() || !jti.isTextual() || !innerKid.isTextual()
        || !innerKid.asText().equals(kid)) {
      throw malformedPayload();
    }
    for (String f : new String[] {"iat", "exp", "epoch"}) {
      if (!n.get(f).isIntegralNumber() || !n.get(f).canConvertToLong()) throw malformedPayload();
    }
    long iat = n.get("iat").longValue();
    long exp = n.get("exp").longValue();
    long epoch = n.get("epoch").longValue();
    if (exp <= iat || epoch < 0 || jti.asText().isEmpty()) throw malformedPayload();
    Principal principal;
    try {
      Principal.Kind k = Principal.Kind.fromWire(kind.asText());
      if (k == Principal.Kind.ANONYMOUS) throw malformedPayload();
      principal = new Principal(sub.asText(), k, Principal.Method.PASSWORD_TOKEN);
    } catch (IllegalArgumentException e) {
      throw malformedPayload();
    }
    return new Claims(principal, iat, exp, jti.asText(), epoch);
  }

  private static AuthException malformedPayload() {
    return new AuthException(Reason.MALFORMED, "token payload malformed");
  }

  private static String mac(SecretKeySpec key, String signed) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return Base64Url.encode(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
