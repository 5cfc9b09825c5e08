package io.aiondb.server.auth;

import java.util.Objects;

/**
 * A credential was refused. The {@link Reason} is for logs, metrics and the audit record; a client should be told no
 * more than "unauthenticated" (telling an attacker which check failed helps the attacker). The message never contains
 * the credential or any part of a secret. No stack trace is captured: refusals are frequent under attack and
 * expected, not bugs.
 */
public final class AuthException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a credential was refused. */
  public enum Reason {
    /** Not a credential of the expected shape (length, alphabet, parts, fields). */
    MALFORMED,
    /** Well formed, but its MAC is not the one its key gives (forged or altered). */
    BAD_SIGNATURE,
    /** Names a signing key this node does not have (never issued here, or retired after rotation). */
    UNKNOWN_KEY,
    /** Its lifetime has ended. */
    EXPIRED,
    /** Issued in the future, beyond the allowed clock skew. */
    NOT_YET_VALID
  }

  private final Reason reason;

  public AuthException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
