package io.aiondb.kubectl;

/** A command that cannot do what was asked: the message is for the user (no stack trace), with an exit code. */
public final class PluginException extends RuntimeException {
  /** Exit codes: 1 the request failed or was refused; 2 bad usage (picocli's); 3 a wait ran out of time. */
  public static final int FAILED = 1;
  public static final int TIMED_OUT = 3;

  private final int exitCode;

  public PluginException(String message) {
    this(FAILED, message);
  }

  public PluginException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
