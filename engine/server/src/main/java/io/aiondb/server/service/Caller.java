package io.aiondb.server.service;

import io.aiondb.server.auth.Principal;
import java.util.Objects;

/**
 * Who sent a request, and over what. Every {@link KvService} call takes one: it is the single place where
 * authentication (the principal), authorization, audit and tracing read the request's origin, whatever the transport.
 *
 * @param transport  {@code "http"} or {@code "protocol"} (also a metrics and log tag)
 * @param remoteHost the client's address as the transport saw it (never null; {@code "unknown"} when not known)
 * @param principal  who the client proved to be, as audit records name it: {@code user:<name>} for a token,
 *                   {@code cert:<subject DN>} of a verified TLS client certificate, else {@code anonymous}
 * @param identity   the principal authorization checks ({@link Principal#ANONYMOUS} when none was proved; a client
 *                   certificate alone does not bind roles yet, docs/security.md)
 */
public record Caller(String transport, String remoteHost, String principal, Principal identity) {
  public static final String ANONYMOUS = "anonymous";

  public Caller {
    Objects.requireNonNull(transport, "transport");
    remoteHost = remoteHost == null ? "unknown" : remoteHost;
    identity = identity == null ? Principal.ANONYMOUS : identity;
    principal = identity.kind() != Principal.Kind.ANONYMOUS ? identity.display() : principal == null ? ANONYMOUS : principal;
  }

  public Caller(String transport, String remoteHost, String principal) {
    this(transport, remoteHost, principal, Principal.ANONYMOUS);
  }

  public Caller(String transport, String remoteHost) {
    this(transport, remoteHost, ANONYMOUS);
  }

  /** The same caller, authenticated as {@code who}. */
  public Caller as(Principal who) {
    return new Caller(transport, remoteHost, principal, who);
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
