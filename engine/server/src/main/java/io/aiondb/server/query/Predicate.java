package io.aiondb.server.query;

import io.aiondb.server.state.Timestamps;
import io.aiondb.server.state.JsonPath;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import java.util.List;

/**
 * A test on one version's value. {@code contains} and {@code matches} read the value as UTF-8 text and use RE2J,
 * whose matching time is linear in the input (no catastrophic backtracking). Field comparisons apply to JSON values
 * only; a value that is not JSON, or a field of another type than the operand, does not match.
 */
public sealed interface Predicate {

  boolean test(Row.Value value);

  /** How it shows in {@code explain}. */
  String describe();

  record Contains(String text, Pattern literal) implements Predicate {
    public static Contains of(String text) {
      return new Contains(text, Pattern.compile(Pattern.quote(text)));
    }

    @Override
    public boolean test(Row.Value v) {
      return literal.matcher(v.text()).find();
    }

    @Override
    public String describe() {
      return "contains " + text;
    }
  }

  record Matches(String regex, Pattern pattern) implements Predicate {
    @Override
    public boolean test(Row.Value v) {
      return pattern.matcher(v.text()).find();
    }

    @Override
    public String describe() {
      return "matches /" + regex + "/";
    }
  }

  enum Op { EQ, NE, LT, LTE, GT, GTE, IN, EXISTS }

  record Field(JsonPath path, Op op, JsonNode operand) implements Predicate {
    @Override
    public boolean test(Row.Value v) {
      JsonNode root = v.json();
      if (root == null) return false;
      JsonNode f = path.resolve(root);
      return switch (op) {
        case EXISTS -> (f != null) == operand.asBoolean(true);
        case EQ -> f != null && equal(f, operand);
        case NE -> f != null && !equal(f, operand);
        case IN -> {
          if (f == null) yield false;
          for (JsonNode o : operand) if (equal(f, o)) yield true;
          yield false;
        }
        case LT, LTE, GT, GTE -> {
          Integer cmp = compare(f, operand);
          if (cmp == null) yield false;
          yield switch (op) {
            case LT -> cmp < 0;
            case LTE -> cmp <= 0;
            case GT -> cmp > 0;
            default -> cmp >= 0;
          };
        }
      };
    }

    /**
     * Exactly, as decimals; a number that is not finite as a double (infinity, only in values stored before
     * {@link io.aiondb.server.state.Values} refused it) compares as a double, so it sorts at either end and the index
     * order (doubles) and this order agree.
     */
    static int compareNumbers(JsonNode a, JsonNode b) {
      if (io.aiondb.server.state.Values.finite(a) && io.aiondb.server.state.Values.finite(b)) {
        return a.decimalValue().compareTo(b.decimalValue());
      }
      return Double.compare(a.doubleValue(), b.doubleValue());
    }

    static boolean equal(JsonNode a, JsonNode b) {
      if (a.isNumber() && b.isNumber()) return compareNumbers(a, b) == 0;
      return a.equals(b);
    }

    /**
     * Numbers numerically; two RFC 3339 timestamps by instant; other strings by UTF-16 code unit
     * ({@link String#compareTo}); a timestamp and a string that is not one are not ordered, nor is anything else
     * (null: the comparison is false).
     */
    static Integer compare(JsonNode a, JsonNode b) {
      if (a == null) return null;
      if (a.isNumber() && b.isNumber()) return compareNumbers(a, b);
      if (a.isTextual() && b.isTextual()) {
        java.time.Instant ta = Timestamps.parse(a.textValue());
        java.time.Instant tb = Timestamps.parse(b.textValue());
        if (ta != null && tb != null) return ta.compareTo(tb);
        if (ta != null || tb != null) return null;
        return a.textValue().compareTo(b.textValue());
      }
      return null;
    }

    @Override
    public String describe() {
      return path.text() + " " + op.name().toLowerCase(java.util.Locale.ROOT) + " " + operand;
    }
  }

  static boolean all(List<Predicate> ps, Row.Value v) {
    for (Predicate p : ps) if (!p.test(v)) return false;
    return true;
  }
}
