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
 * @param trace      the request's trace context (its transport's server span; root when not traced): the service
 *                   makes its writes' spans under it (docs/tracing.md)
 */
public record Caller(String transport, String remoteHost, String principal, Principal identity,
    io.opentelemetry.context.Context trace) {
  public static final String ANONYMOUS = "anonymous";

  public Caller {
    Objects.requireNonNull(transport, "transport");
    remoteHost = remoteHost == null ? "unknown" : remoteHost;
    identity = identity == null ? Principal.ANONYMOUS : identity;
    principal = identity.kind() != Principal.Kind.ANONYMOUS ? identity.display() : principal == null ? ANONYMOUS : principal;
    trace = trace == null ? io.opentelemetry.context.Context.root() : trace;
  }

  public Caller(String transport, String remoteHost, String principal, Principal identity) {
    this(transport, remoteHost, principal, identity, null);
  }

  /** The same caller, in the trace {@code context}. */
  public Caller traced(io.opentelemetry.context.Context context) {
    if (context == trace || context == null) return this; // untraced requests: no copy per request
    return new Caller(transport, remoteHost, principal, identity, context);
  }

  public Caller(String transport, String remoteHost, String principal) {
    this(transport, remoteHost, principal, Principal.ANONYMOUS);
  }

  public Caller(String transport, String remoteHost) {
    this(transport, remoteHost, ANONYMOUS);
  }

  /** The same caller, authenticated as {@code who}. */
  public Caller as(Principal who) {
    return new Caller(transport, remoteHost, principal, who, trace);
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

  /**
   * The identity a verified client certificate names, for authorization: a subject alternative name URI
   * {@code aion://user/<name>} or {@code aion://service/<name>} (roles come from that user's or service account's
   * record, docs/security.md); null without a certificate or without such a URI (a peer's {@code aion://peer/…} too).
   */
  public static Principal certificateIdentity(javax.net.ssl.SSLSession session) {
    if (session == null) return null;
    try {
      var certs = session.getPeerCertificates();
      if (certs.length == 0 || !(certs[0] instanceof java.security.cert.X509Certificate x)) return null;
      var sans = x.getSubjectAlternativeNames();
      if (sans == null) return null;
      for (var san : sans) {
        if (san.size() < 2 || !Integer.valueOf(6).equals(san.get(0)) || !(san.get(1) instanceof String uri)) continue;
        java.util.regex.Matcher m = CERT_URI.matcher(uri);
        if (!m.matches()) continue;
        return m.group(1).equals("user") ? Principal.user(m.group(2), Principal.Method.CERTIFICATE)
            : Principal.service(m.group(2), Principal.Method.CERTIFICATE);
      }
    } catch (javax.net.ssl.SSLPeerUnverifiedException | java.security.cert.CertificateParsingException none) {
      // no certificate, or its names cannot be read: not an identity
    }
    return null;
  }

  private static final java.util.regex.Pattern CERT_URI =
      java.util.regex.Pattern.compile("aion://(user|service)/([A-Za-z0-9._@-]{1,256})");

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
