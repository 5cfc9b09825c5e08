package io.aiondb.operator.engine;

/**
 * How the operator reaches one cluster's engine: the CA it trusts (null: plain HTTP) and the API key it sends
 * ({@code Authorization: Bearer}; null: none, a cluster without auth). {@link #toString} never shows the key.
 */
public record EngineAccess(String caPem, String apiKey) {
  /** Plain HTTP, no credentials. */
  public static final EngineAccess PLAIN = new EngineAccess(null, null);

  public static EngineAccess tls(String caPem) {
    return new EngineAccess(caPem, null);
  }

  public EngineAccess withApiKey(String key) {
    return new EngineAccess(caPem, key);
  }

  @Override
  public String toString() {
    return "EngineAccess[tls=" + (caPem != null) + ", apiKey=" + (apiKey != null) + "]";
  }
}
