package io.aiondb.server.security;

/** TLS material that cannot be used: a missing file, a malformed PEM, a key that does not match its certificate. */
public final class TlsException extends RuntimeException {
  public TlsException(String message) {
    super(message);
  }
}
