package io.aiondb.server.auth;

/**
 * Glob matching where {@code *} matches any run of characters (including none) and every other character matches
 * itself. No regular expression is built from the pattern (no injection, no backtracking): the pattern's literal
 * segments are found left to right, each at its earliest place (Knuth-Morris-Pratt), which is correct for {@code *}
 * alone and takes time linear in the lengths of pattern and text.
 */
public final class Glob {
  private Glob() {}

  public static boolean matches(String pattern, String text) {
    int firstStar = pattern.indexOf('*');
    if (firstStar < 0) return pattern.equals(text);
    int lastStar = pattern.lastIndexOf('*');
    String head = pattern.substring(0, firstStar);
    String tail = pattern.substring(lastStar + 1);
    if (text.length() < head.length() + tail.length() || !text.startsWith(head) || !text.endsWith(tail)) return false;
    int pos = head.length();
    int end = text.length() - tail.length(); // middle segments must fit in text[pos, end)
    int i = firstStar + 1;
    while (i <= lastStar) {
      int next = pattern.indexOf('*', i);
      if (next > i) {
        int at = find(text, pos, end, pattern.substring(i, next));
        if (at < 0) return false;
        pos = at + (next - i);
      }
      i = next + 1;
    }
    return true;
  }

  /** The first index {@code >= from} where {@code word} occurs entirely within {@code text[from, to)}, or -1. */
  private static int find(String text, int from, int to, String word) {
    int[] fail = new int[word.length()];
    for (int q = 1, k = 0; q < word.length(); q++) {
      while (k > 0 && word.charAt(k) != word.charAt(q)) k = fail[k - 1];
      if (word.charAt(k) == word.charAt(q)) k++;
      fail[q] = k;
    }
    for (int j = from, k = 0; j < to; j++) {
      while (k > 0 && word.charAt(k) != text.charAt(j)) k = fail[k - 1];
      if (word.charAt(k) == text.charAt(j)) k++;
      if (k == word.length()) return j - k + 1;
    }
    return -1;
  }
}
