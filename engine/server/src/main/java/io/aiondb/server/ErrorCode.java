package io.aiondb.server;

/** Every error Aion answers with: a stable code for programs, an HTTP status, and (at the throw site) a message for people. */
public enum ErrorCode {
  BAD_REQUEST(400),
  INVALID_KEY(400),
  INVALID_JSON(400),
  INVALID_QUERY(400),
  INVALID_CURSOR(400),
  INVALID_NAMESPACE(400),
  CONFIRMATION_REQUIRED(400),
  NOT_FOUND(404),
  NAMESPACE_NOT_FOUND(404),
  KEY_NOT_FOUND(404),
  METHOD_NOT_ALLOWED(405),
  /** auth.enabled: no valid credentials (no token, a bad, expired or revoked one, a failed login). */
  UNAUTHENTICATED(401),
  /** auth.enabled: the caller's roles do not grant the operation on what it names. */
  FORBIDDEN(403),
  /** Too many failed logins for this user or from this address lately (per node): wait (Retry-After) and retry. */
  RATE_LIMITED(429),
  REVISION_MISMATCH(409),
  UNSAFE(409),
  RECONFIGURATION_IN_PROGRESS(409),
  NOT_CAUGHT_UP(409),
  MEMBER_CONFLICT(409),
  MEMBER_NOT_FOUND(404),
  NAMESPACE_EXISTS(409),
  INDEX_EXISTS(409),
  UNIQUE_VIOLATION(409),
  INDEX_NOT_FOUND(404),
  HISTORY_COMPACTED(410),
  /** No backup with that id in the configured object store. */
  BACKUP_NOT_FOUND(404),
  /** Another backup operation (create, verify, prune) is running on this node: poll it, then retry. */
  BACKUP_BUSY(409),
  /** A backup's manifest cannot be parsed or fails its authentication: it is not used (listed, verified, restored). */
  BACKUP_DAMAGED(409),
  /** This node has no backup target (backup.s3.bucket is not set). */
  BACKUP_NOT_CONFIGURED(409),
  FUTURE_REVISION(400),
  VALUE_TOO_LARGE(413),
  UNSUPPORTED_MEDIA_TYPE(415),
  /**
   * The answer would be too large: on the binary protocol it would not fit one frame (16 MiB), ask for less (limit,
   * maxBytes); a transaction's reads exceed their budget (4 MiB of values, 10,000 keys examined), read less.
   */
  RESPONSE_TOO_LARGE(400),
  /** HTTP: the request body did not arrive within http.read-timeout. */
  REQUEST_TIMEOUT(408),
  /** Binary protocol: closed after protocol.idle-timeout without a frame; nothing sent after it was processed. */
  CONNECTION_IDLE(408),
  /** Binary protocol: the node already has protocol.max-connections connections; the new one is closed. */
  TOO_MANY_CONNECTIONS(503),
  /** A client holds watch.max-per-client watches on this node (or its connection watch.max-per-connection). */
  TOO_MANY_WATCHES(429),
  UNAVAILABLE(503),
  OVERLOADED(503),
  TIMEOUT(504),
  INTERNAL(500);

  private final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
