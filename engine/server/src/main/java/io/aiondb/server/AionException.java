package io.aiondb.server;

/** A failure with an {@link ErrorCode} and a message a person can act on. Thrown by validation and reads. */
public class AionException extends RuntimeException {
  private final ErrorCode code;

  public AionException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
