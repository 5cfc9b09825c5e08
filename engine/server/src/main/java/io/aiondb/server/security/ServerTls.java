package io.aiondb.server.security;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.TrustOptions;

/** Turns TLS on for a Vert.x listener (HTTP API, binary protocol) from the node's {@link TlsMaterial}. */
public final class ServerTls {
  private ServerTls() {}

  /**
   * @param tls        the node's material, or null (the listener stays plain)
   * @param clientAuth none, request or require (tls.client-auth)
   */
  public static void apply(NetServerOptions options, TlsMaterial tls, String clientAuth) {
    if (tls == null) return;
    options.setSsl(true)
        .setKeyCertOptions(KeyCertOptions.wrap(tls.keyManager()))
        .setTrustOptions(TrustOptions.wrap(tls.trustManager()))
        .setClientAuth(switch (clientAuth) {
          case "require" -> ClientAuth.REQUIRED;
          case "request" -> ClientAuth.REQUEST;
          default -> ClientAuth.NONE;
        });
    options.getSslOptions().setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.2", "TLSv1.3"));
  }
}
