package io.aiondb.cli;

/** A failure the CLI detects itself (bad input, a key that does not exist), with its exit code and one-line message. */
final class CliException extends RuntimeException {
  final int exitCode;

  CliException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  static CliException usage(String message) {
    return new CliException(ExitCode.USAGE, message);
  }
}
