package io.aiondb.server.state;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * A field path into a JSON value: {@code $} then {@code .name} or {@code [index]} steps, e.g. {@code $.user.age}
 * or {@code $.tags[0]}. Names are letters, digits, {@code _} and {@code -}; {@code ["any name"]} quotes others.
 */
public record JsonPath(String text, List<Object> steps) {

  public static JsonPath parse(String text) {
    if (text == null || !text.startsWith("$")) throw bad(text, "must start with $");
    if (text.length() > 512) throw bad(text, "is longer than 512 characters");
    List<Object> steps = new ArrayList<>();
    int i = 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '.') {
        int j = i + 1;
        while (j < text.length() && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_' || text.charAt(j) == '-')) j++;
        if (j == i + 1) throw bad(text, "has an empty name at position " + i);
        steps.add(text.substring(i + 1, j));
        i = j;
      } else if (c == '[') {
        int close = text.indexOf(']', i);
        if (close < 0) throw bad(text, "has an unclosed [");
        String inner = text.substring(i + 1, close);
        if (inner.length() >= 2 && inner.startsWith("\"") && inner.endsWith("\"")) {
          steps.add(inner.substring(1, inner.length() - 1));
        } else {
          try {
            int idx = Integer.parseInt(inner);
            if (idx < 0) throw bad(text, "has a negative index");
            steps.add(idx);
          } catch (NumberFormatException e) {
            throw bad(text, "has a bad index [" + inner + "]");
          }
        }
        i = close + 1;
      } else {
        throw bad(text, "has an unexpected '" + c + "' at position " + i);
      }
    }
    return new JsonPath(text, List.copyOf(steps));
  }

  /** The node at this path, or null when it is absent (a JSON null is returned as a NullNode). */
  public JsonNode resolve(JsonNode root) {
    JsonNode n = root;
    for (Object s : steps) {
      if (n == null) return null;
      n = s instanceof Integer idx ? (n.isArray() ? n.get(idx) : null) : (n.isObject() ? n.get((String) s) : null);
    }
    return n;
  }

  private static AionException bad(String text, String why) {
    return new AionException(ErrorCode.INVALID_QUERY, "field path '" + text + "' " + why + " (expected e.g. $.user.age)");
  }
}
