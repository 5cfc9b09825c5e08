package io.aiondb.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.auth.AuthException.Reason;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
  @Test
  void aGeneratedKeyParsesAndMatchesItsStoredRecord() throws Exception {
    ApiKeys.Generated g = ApiKeys.generate();
    assertThat(g.key()).hasSize(61).matches("aion_[0-9a-v]{12}_[A-Za-z0-9_-]{43}");
    assertThat(g.stored().keyId()).isEqualTo(g.key().substring(5, 17));
    byte[] secret = Base64.getUrlDecoder().decode(g.key().substring(18));
    assertThat(secret).hasSize(32);
    assertThat(g.stored().secretSha256())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret)));
    ApiKeys.Presented p = ApiKeys.parse(g.key());
    assertThat(p.keyId()).isEqualTo(g.stored().keyId());
    assertThat(p.secret()).isEqualTo(secret);
    assertThat(ApiKeys.matches(g.stored(), p)).isTrue();
  }

  @Test
  void everyKeyIsDifferentAndParsesWhateverItsSecretLooksLike() {
    Set<String> ids = new HashSet<>();
    Set<String> keys = new HashSet<>();
    boolean underscoreInSecret = false;
    for (int i = 0; i < 2000; i++) {
      ApiKeys.Generated g = ApiKeys.generate();
      ids.add(g.stored().keyId());
      keys.add(g.key());
      underscoreInSecret |= g.key().substring(18).contains("_");
      assertThat(ApiKeys.matches(g.stored(), ApiKeys.parse(g.key()))).isTrue();
    }
    assertThat(ids).hasSize(2000);
    assertThat(keys).hasSize(2000);
    assertThat(underscoreInSecret).isTrue(); // '_' is base64url: the format is parsed by position, not split on '_'
  }

  @Test
  void aKeyMatchesOnlyItsOwnRecord() {
    ApiKeys.Generated a = ApiKeys.generate();
    ApiKeys.Generated b = ApiKeys.generate();
    assertThat(ApiKeys.matches(a.stored(), ApiKeys.parse(b.key()))).isFalse();
    // right id, someone else's secret; right secret, someone else's id
    String aIdBSecret = a.key().substring(0, 18) + b.key().substring(18);
    String bIdASecret = b.key().substring(0, 18) + a.key().substring(18);
    assertThat(ApiKeys.matches(a.stored(), ApiKeys.parse(aIdBSecret))).isFalse();
    assertThat(ApiKeys.matches(a.stored(), ApiKeys.parse(bIdASecret))).isFalse();
    // one changed character of the secret
    String key = a.key();
    char last = key.charAt(key.length() - 2);
    String changed = key.substring(0, key.length() - 2) + (last == 'A' ? 'B' : 'A') + key.charAt(key.length() - 1);
    assertThat(ApiKeys.matches(a.stored(), ApiKeys.parse(changed))).isFalse();
    assertThat(ApiKeys.matches(null, ApiKeys.parse(key))).isFalse();
    assertThat(ApiKeys.matches(a.stored(), null)).isFalse();
    assertThat(ApiKeys.matches(new ApiKeys.StoredKey(a.stored().keyId(), "not hex"), ApiKeys.parse(key))).isFalse();
    assertThat(ApiKeys.matches(new ApiKeys.StoredKey(a.stored().keyId(), "00"), ApiKeys.parse(key))).isFalse();
  }

  @Test
  void onlyTheExactFormatParses() {
    String key = ApiKeys.generate().key();
    String id = key.substring(5, 17);
    String secret = key.substring(18);
    String canonical43 = "A".repeat(43); // 32 zero bytes
    String[] bad = {
        null, "", "aion_", key.substring(0, 60), key + "A", key + " ", " " + key, key + "\n",
        "AION_" + key.substring(5), "aion-" + key.substring(5), "aion_" + id + "-" + secret,
        "aion_" + "0123456789AB" + "_" + secret, // upper case
        "aion_" + "w".repeat(12) + "_" + secret, "aion_" + "z".repeat(12) + "_" + secret,
        "aion_" + id.substring(1) + "_" + secret + "A", "aion_" + id + "_" + secret.substring(1) + "+",
        "aion_" + id + "_" + secret.substring(1) + "/", "aion_" + id + "_" + secret.substring(1) + "=",
        "aion_" + id + "_" + "A".repeat(42) + "B", // non-canonical: the last character's unused bits are set
        "Bearer " + key};
    for (String k : bad) {
      assertThatThrownBy(() -> ApiKeys.parse(k)).as(k).isInstanceOfSatisfying(AuthException.class,
          e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }
    assertThat(ApiKeys.parse("aion_" + "0123456789uv" + "_" + canonical43).secret()).isEqualTo(new byte[32]);
  }

  @Test
  void secretsStayOutOfToStringAndErrors() {
    ApiKeys.Generated g = ApiKeys.generate();
    String secret = g.key().substring(18);
    assertThat(g.toString()).contains(g.stored().keyId()).doesNotContain(secret);
    assertThat(ApiKeys.parse(g.key()).toString()).doesNotContain(secret);
    String broken = g.key() + "!";
    assertThatThrownBy(() -> ApiKeys.parse(broken)).hasMessageNotContaining(secret);
  }
}
