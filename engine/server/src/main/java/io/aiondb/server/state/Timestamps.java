package io.aiondb.server.state;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** RFC 3339 timestamps in JSON strings ({@code 2026-01-01T00:00:00Z}, {@code 2026-01-01T01:00:00.5+01:00}). */
public final class Timestamps {
  private Timestamps() {}

  /** The instant, or null when the text is not an RFC 3339 date-time with an offset. */
  public static Instant parse(String s) {
    if (s == null || s.length() < 20 || s.length() > 40 || s.charAt(4) != '-' || s.charAt(7) != '-'
        || (s.charAt(10) != 'T' && s.charAt(10) != 't')) {
      return null;
    }
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
