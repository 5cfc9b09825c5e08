package io.aiondb.client;

/** The server answered with an error ({@code code}, e.g. KEY_NOT_FOUND) or could not be reached ({@code status} 0). */
public class AionClientException extends RuntimeException {
  private final int status;
  private final String code;

  public AionClientException(int status, String code, String message) {
    super(code + " (" + status + "): " + message);
    this.status = status;
    this.code = code;
  }

  public AionClientException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
    this.code = "UNREACHABLE";
  }

  /** HTTP status, or 0 when no answer came. */
  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
