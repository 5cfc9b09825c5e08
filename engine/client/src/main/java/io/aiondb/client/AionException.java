package io.aiondb.client;

/**
 * Errors of the native client ({@link Aion}). Subclasses say what the caller can do: {@link Conflict} (a condition
 * failed: re-read and decide), {@link NotFound}, {@link InvalidRequest} (fix the request), {@link Unavailable}
 * (nothing was done; the client already retried until its deadline), {@link UnknownOutcome} (a write may or may not
 * have been applied: read before retrying), {@link Compacted} (the history asked for is gone),
 * {@link ResponseTooLarge} (the answer would not fit in a frame: ask for less).
 * {@link #code()} is the server's error code.
 */
public class AionException extends AionClientException {
  AionException(int status, String code, String message) {
    super(status, code, message);
  }

  /** A failed compare-and-set, or an interactive transaction whose reads changed before it committed. Retryable. */
  public static class Conflict extends AionException {
    Conflict(String code, String message) {
      super(409, code, message);
    }
  }

  /** Thrown by {@link Transaction#commit()} when a key the transaction read changed: run the transaction again. */
  public static final class TransactionConflict extends Conflict {
    TransactionConflict(String message) {
      super("TRANSACTION_CONFLICT", message);
    }
  }

  public static final class NotFound extends AionException {
    NotFound(String code, String message) {
      super(404, code, message);
    }
  }

  public static final class InvalidRequest extends AionException {
    InvalidRequest(int status, String code, String message) {
      super(status, code, message);
    }
  }

  public static final class Compacted extends AionException {
    Compacted(String code, String message) {
      super(410, code, message);
    }
  }

  /** No node could do it within the deadline; nothing was applied. */
  public static final class Unavailable extends AionException {
    Unavailable(String code, String message) {
      super(503, code, message);
    }
  }

  /** The connection failed or the server timed out after a write was sent: it may have been applied. */
  public static final class UnknownOutcome extends AionException {
    UnknownOutcome(String code, String message) {
      super(504, code, message);
    }
  }

  /**
   * The answer would not fit in one protocol frame (16 MiB): ask for less (a lower {@code limit} or
   * {@code maxBytes}, fewer or smaller values per transaction). Nothing was retried. For a transaction the message
   * says it WAS applied, with its revision.
   */
  /**
   * The cluster requires authentication ({@code UNAUTHENTICATED}, 401: no token, or one that is invalid, expired or
   * revoked: get a new one) or the caller's roles do not allow the operation ({@code FORBIDDEN}, 403). Never retried.
   */
  public static final class NotAuthorized extends AionException {
    NotAuthorized(int status, String code, String message) {
      super(status, code, message);
    }
  }

  public static final class ResponseTooLarge extends AionException {
    ResponseTooLarge(String code, String message) {
      super(400, code, message);
    }
  }

  /** The server's error code as the matching exception. */
  static AionException of(String code, String message) {
    return switch (code) {
      case "REVISION_MISMATCH", "NAMESPACE_EXISTS", "UNSAFE", "RECONFIGURATION_IN_PROGRESS", "NOT_CAUGHT_UP",
           "MEMBER_CONFLICT" -> new Conflict(code, message);
      case "NOT_FOUND", "NAMESPACE_NOT_FOUND", "KEY_NOT_FOUND", "MEMBER_NOT_FOUND" -> new NotFound(code, message);
      case "HISTORY_COMPACTED" -> new Compacted(code, message);
      case "UNAVAILABLE", "OVERLOADED", "TOO_MANY_CONNECTIONS", "CONNECTION_IDLE" -> new Unavailable(code, message);
      case "RESPONSE_TOO_LARGE" -> new ResponseTooLarge(code, message);
      case "TIMEOUT" -> new UnknownOutcome(code, message);
      case "VALUE_TOO_LARGE" -> new InvalidRequest(413, code, message);
      case "UNAUTHENTICATED" -> new NotAuthorized(401, code, message);
      case "FORBIDDEN" -> new NotAuthorized(403, code, message);
      case "TOO_MANY_WATCHES" -> new InvalidRequest(429, code, message);
      case "RATE_LIMITED" -> new InvalidRequest(429, code, message);
      case "INTERNAL" -> new AionException(500, code, message);
      default -> new InvalidRequest(400, code, message);
    };
  }
}
