package io.aiondb.server.security;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * {@code tls.peer-identity=uri} (docs/security.md "Peers"): the Raft transport's trust manager. A certificate must
 * first be trusted as {@code delegate} decides (chains to tls.ca-file, valid now), then name a peer: a subject
 * alternative name URI {@value #PEER} or {@value #PEER}{@code /<id>}. A client certificate from the same CA
 * ({@code aion://user/…}, {@code aion://service/…}, or none) is refused, in both directions: a member neither accepts
 * such a caller on its Raft port nor talks Raft to a server presenting one.
 */
public final class PeerTrustManager extends X509ExtendedTrustManager {
  public static final String PEER = "aion://peer";
  /** GeneralName type of a URI in {@link X509Certificate#getSubjectAlternativeNames}. */
  private static final int URI = 6;

  private final X509ExtendedTrustManager delegate;

  public PeerTrustManager(X509ExtendedTrustManager delegate) {
    this.delegate = delegate;
  }

  /** Whether {@code cert} names a peer ({@value #PEER} or {@value #PEER}{@code /<id>} among its URI SANs). */
  public static boolean namesPeer(X509Certificate cert) {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans == null) return false;
      for (List<?> san : sans) {
        if (san.size() >= 2 && Integer.valueOf(URI).equals(san.get(0)) && san.get(1) instanceof String uri
            && (uri.equals(PEER) || (uri.startsWith(PEER + "/") && uri.length() > PEER.length() + 1))) {
          return true;
        }
      }
      return false;
    } catch (CertificateParsingException e) {
      return false;
    }
  }

  private static void requirePeer(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0 || !namesPeer(chain[0])) {
      throw new CertificateException("not a peer certificate: with tls.peer-identity=uri the Raft transport accepts "
          + "only certificates whose subject alternative names include the URI " + PEER + " or " + PEER + "/<id>"
          + (chain == null || chain.length == 0 ? "" : " (this one: " + chain[0].getSubjectX500Principal() + ")"));
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    delegate.checkClientTrusted(chain, authType, socket);
    requirePeer(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    delegate.checkServerTrusted(chain, authType, socket);
    requirePeer(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    delegate.checkClientTrusted(chain, authType, engine);
    requirePeer(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    delegate.checkServerTrusted(chain, authType, engine);
    requirePeer(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate.checkClientTrusted(chain, authType);
    requirePeer(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate.checkServerTrusted(chain, authType);
    requirePeer(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }
}
