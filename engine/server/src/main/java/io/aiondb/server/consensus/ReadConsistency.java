package io.aiondb.server.consensus;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import java.util.Locale;

/**
 * How fresh a read must be. {@code LINEARIZABLE} (the default) reflects every write acknowledged before the read
 * started, on any node; {@code STALE} answers from the local node at once, with the revision it reflects.
 */
public enum ReadConsistency {
  LINEARIZABLE,
  STALE;

  public static ReadConsistency parse(String s) {
    if (s == null || s.isEmpty()) return LINEARIZABLE;
    try {
      return valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new AionException(ErrorCode.BAD_REQUEST, "consistency must be linearizable or stale, not '" + s + "'");
    }
  }
}
