package io.aiondb.kubectl;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as kubectl writes them: {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 2h}. */
final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d{1,9})(h|m|s)");

  private Durations() {}

  static Duration parse(String text) {
    if (text == null || text.isBlank()) throw new IllegalArgumentException("a duration is required, e.g. 90s, 5m or 1h");
    Matcher m = PART.matcher(text.trim());
    Duration d = Duration.ZERO;
    int at = 0;
    while (at < text.trim().length() && m.find(at) && m.start() == at) {
      long n = Long.parseLong(m.group(1));
      d = d.plus(switch (m.group(2)) {
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofSeconds(n);
      });
      at = m.end();
    }
    if (at != text.trim().length() || at == 0) {
      throw new IllegalArgumentException("not a duration: '" + text + "' (write e.g. 90s, 5m, 1h30m)");
    }
    return d;
  }

  /** {@code 3d4h}, {@code 2h5m}, {@code 42s}: the two largest units, for ages and remaining times. */
  static String human(Duration d) {
    long s = Math.abs(d.getSeconds());
    String sign = d.isNegative() ? "-" : "";
    if (s < 60) return sign + s + "s";
    if (s < 3600) return sign + (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
    if (s < 86400) return sign + (s / 3600) + "h" + ((s % 3600) / 60 == 0 ? "" : ((s % 3600) / 60) + "m");
    return sign + (s / 86400) + "d" + ((s % 86400) / 3600 == 0 ? "" : ((s % 86400) / 3600) + "h");
  }
}
