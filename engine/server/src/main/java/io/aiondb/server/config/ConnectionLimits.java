package io.aiondb.server.config;

import java.time.Duration;

/**
 * Limits on client connections (docs/limits.md): how many a node accepts per transport, how long one may sit idle,
 * and how many bytes one binary protocol connection may hold. See {@link Settings} for each one's meaning.
 */
public record ConnectionLimits(
    int protocolMaxConnections,
    Duration protocolIdleTimeout,
    long protocolMaxConnectionMemory,
    int httpMaxConnections,
    Duration httpIdleTimeout,
    Duration httpReadTimeout) {

  void validate() {
    if (protocolIdleTimeout.toMillis() < 100) throw new ConfigException("protocol.idle-timeout must be at least 100ms");
    if (protocolMaxConnectionMemory < (1 << 20)) throw new ConfigException("protocol.max-connection-memory must be at least 1MiB");
    if (httpIdleTimeout.toMillis() < 100) throw new ConfigException("http.idle-timeout must be at least 100ms");
    if (httpReadTimeout.toMillis() < 100) throw new ConfigException("http.read-timeout must be at least 100ms");
  }
}
