package io.aiondb.operator.engine;

/** The engine's cluster API could not be reached or gave no usable answer. The message says which and why. */
public class EngineUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public EngineUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
