package io.aiondb.operator.engine;

/**
 * The engine answered and refused the request (4xx): e.g. {@code 409 UNSAFE} (restarting or removing the node now
 * would lose a quorum; the message says why), {@code 409 NOT_CAUGHT_UP} (call again later), {@code 404
 * MEMBER_NOT_FOUND}, {@code 400 BAD_REQUEST}. Unlike {@link EngineUnavailableException} this is the engine's decision,
 * not a failure to reach it: {@link #code()} tells which.
 */
public class EngineRefusedException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String code;

  public EngineRefusedException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** The HTTP status (4xx). */
  public int status() {
    return status;
  }

  /** The engine's error code (e.g. {@code UNSAFE}, {@code NOT_CAUGHT_UP}), or "" when the body had none. */
  public String code() {
    return code;
  }
}
