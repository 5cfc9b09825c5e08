package io.aiondb.cli;

import io.aiondb.client.AionClientException;

/** The documented exit codes of {@code aion} (docs/cli.md "Exit codes"). */
final class ExitCode {
  /** Done. */
  static final int OK = 0;
  /** The server refused the request (invalid name, key, query or value; history compacted) or failed. */
  static final int ERROR = 1;
  /** Bad options or arguments, or an input file that cannot be read or is not valid JSON (picocli's usage code). */
  static final int USAGE = 2;
  /** The namespace, key, member or API route does not exist. */
  static final int NOT_FOUND = 3;
  /** A condition failed: {@code --if-revision}, a transaction's compares, a namespace that exists, an unsafe change. */
  static final int CONFLICT = 4;
  /** Nothing answered in time: no node reachable, no leader, timeout; or a write's outcome is unknown. */
  static final int UNAVAILABLE = 5;

  /** One line for {@code --help}. */
  static final String FOOTER = "%nExit codes: 0 ok, 1 server error, 2 usage, 3 not found, 4 conflict, 5 unavailable"
      + " (docs/cli.md).";

  private ExitCode() {}

  /** The exit code for an error the server answered (or, status 0, for no answer at all). */
  static int of(AionClientException e) {
    return switch (e.status()) {
      case 0, 502, 503, 504 -> UNAVAILABLE;
      case 404 -> NOT_FOUND;
      case 409 -> CONFLICT;
      default -> ERROR;
    };
  }
}
