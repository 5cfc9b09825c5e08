package io.aiondb.server.service;

import java.util.Objects;

/**
 * Who sent a request, and over what. Every {@link KvService} call takes one: it is the single place where
 * authentication (the principal), authorization, audit and tracing read the request's origin, whatever the transport.
 *
 * @param transport  {@code "http"} or {@code "protocol"} (also a metrics and log tag)
 * @param remoteHost the client's address as the transport saw it (never null; {@code "unknown"} when not known)
 * @param principal  who the client proved to be: {@code cert:<subject DN>} of a verified TLS client certificate, else
 *                   {@code anonymous} (docs/security.md; users and tokens come with RBAC)
 */
public record Caller(String transport, String remoteHost, String principal) {
  public static final String ANONYMOUS = "anonymous";

  public Caller {
    Objects.requireNonNull(transport, "transport");
    remoteHost = remoteHost == null ? "unknown" : remoteHost;
    principal = principal == null ? ANONYMOUS : principal;
  }

  public Caller(String transport, String remoteHost) {
    this(transport, remoteHost, ANONYMOUS);
  }

  public static Caller http(String remoteHost) {
    return new Caller("http", remoteHost);
  }

  public static Caller http(String remoteHost, String principal) {
    return new Caller("http", remoteHost, principal);
  }

  public static Caller protocol(String remoteHost) {
    return new Caller("protocol", remoteHost);
  }

  public static Caller protocol(String remoteHost, String principal) {
    return new Caller("protocol", remoteHost, principal);
  }

  /** The principal of a TLS session: its verified client certificate's subject, else anonymous. */
  public static String principal(javax.net.ssl.SSLSession session) {
    if (session == null) return ANONYMOUS;
    try {
      var certs = session.getPeerCertificates();
      if (certs.length > 0 && certs[0] instanceof java.security.cert.X509Certificate x) {
        return "cert:" + x.getSubjectX500Principal().getName();
      }
    } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
      // no client certificate
    }
    return ANONYMOUS;
  }
}
