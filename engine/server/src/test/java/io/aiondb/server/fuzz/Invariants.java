package io.aiondb.server.fuzz;

import io.aiondb.server.AionException;

/** Checks shared by the fuzz targets. */
final class Invariants {
  private Invariants() {}

  /** A rejection of hostile input is the client's fault: a 4xx, never a 5xx that says the server failed. */
  static void clientError(AionException e) {
    int status = e.code().httpStatus();
    if (status < 400 || status >= 500) {
      throw new AssertionError("input rejected with " + e.code() + " (" + status + "), not a 4xx: " + e.getMessage(), e);
    }
  }
}
