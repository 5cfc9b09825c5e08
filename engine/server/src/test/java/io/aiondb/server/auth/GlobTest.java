package io.aiondb.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GlobTest {
  @Test
  void starMatchesAnyRunAndEverythingElseMatchesItself() {
    Object[][] table = {
        {"orders", "orders", true}, {"orders", "orders2", false}, {"orders", "order", false}, {"orders", "", false},
        {"*", "", true}, {"*", "anything", true}, {"**", "x", true}, {"ci-*", "ci-", true}, {"ci-*", "ci-42", true},
        {"ci-*", "ci", false}, {"ci-*", "xci-1", false}, {"*-eu", "orders-eu", true}, {"*-eu", "orders-eu2", false},
        {"a*b", "ab", true}, {"a*b", "axxb", true}, {"a*b", "axxbc", false}, {"a*a", "a", false},
        {"a*a", "aa", true}, {"*a*a*", "aa", true}, {"*a*a*", "a", false}, {"a*b*c", "abbbc", true},
        {"a*b*c", "acb", false}, {"*ab*ab", "abab", true}, {"*ab*ab", "abxab", true}, {"*ab*ab", "ab", false},
        {"*aab*", "aaab", true}, {"*abac*", "ababac", true}, // a naive restart would miss these
        {"ord.rs", "orders", false}, {"ord.rs", "ord.rs", true}, {"o[r]d", "ord", false}, {"o[r]d", "o[r]d", true},
        {"a.*", "abc", false}, {"a.*", "a.bc", true}};
    for (Object[] row : table) {
      assertThat(Glob.matches((String) row[0], (String) row[1])).as("%s ~ %s", row[0], row[1]).isEqualTo(row[2]);
    }
  }

  @Test
  void aPatternThatWouldMakeABacktrackingMatcherExplodeTakesMicroseconds() {
    String pattern = "*a".repeat(60) + "*b";
    String text = "a".repeat(256);
    long start = System.nanoTime();
    for (int i = 0; i < 1000; i++) assertThat(Glob.matches(pattern, text)).isFalse();
    assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
  }

  @Test
  void agreesWithARegularExpressionOnRandomPatterns() {
    long seed = 20261207L;
    Random random = new Random(seed);
    for (int i = 0; i < 50_000; i++) {
      String pattern = randomString(random, "ab*", 6);
      String text = randomString(random, "ab", 8);
      StringBuilder regex = new StringBuilder();
      for (String part : pattern.split("\\*", -1)) {
        if (!regex.isEmpty()) regex.append(".*");
        regex.append(Pattern.quote(part));
      }
      boolean expected = Pattern.matches(regex.toString(), text);
      assertThat(Glob.matches(pattern, text)).as("seed %d: %s ~ %s", seed, pattern, text).isEqualTo(expected);
    }
  }

  private static String randomString(Random random, String alphabet, int maxLength) {
    int n = random.nextInt(maxLength + 1);
    StringBuilder s = new StringBuilder(n);
    for (int i = 0; i < n; i++) s.append(alphabet.charAt(random.nextInt(alphabet.length())));
    return s.toString();
  }
}
