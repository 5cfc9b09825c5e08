package io.aiondb.server.service;

import java.util.Objects;

/**
 * Who sent a request, and over what. Every {@link KvService} call takes one: it is the single place where
 * authentication (the principal), authorization, audit and tracing will read the request's origin, whatever the
 * transport. Today it carries the transport and the client's address (watch limits per client use the address).
 *
 * @param transport  {@code "http"} or {@code "protocol"} (also a metrics and log tag)
 * @param remoteHost the client's address as the transport saw it (never null; {@code "unknown"} when not known)
 */
public record Caller(String transport, String remoteHost) {
  public Caller {
    Objects.requireNonNull(transport, "transport");
    remoteHost = remoteHost == null ? "unknown" : remoteHost;
  }

  public static Caller http(String remoteHost) {
    return new Caller("http", remoteHost);
  }

  public static Caller protocol(String remoteHost) {
    return new Caller("protocol", remoteHost);
  }
}
