package io.aiondb.server.security;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's certificate, key and trusted CAs, read from PEM files and re-read when they change, so a rotated Secret
 * (cert-manager, the operator) takes effect on new connections without a restart. One instance serves the HTTP API,
 * the binary protocol, the Raft transport (mutual TLS between peers) and the node's own calls to its peers.
 *
 * <p>Files are checked at most once per reload interval, on the next handshake. A change that does not load (a
 * half-written file, a key that does not match its certificate) is logged and the previous material stays in use.
 */
public final class TlsMaterial {
  private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);

  private final Path certFile;
  private final Path keyFile;
  private final Path caFile;
  private final long reloadNanos;
  private volatile Loaded current;
  private volatile Loaded previous;
  private volatile long nextCheck;
  private final KeyManager keyManager = new KeyManager();
  private final TrustManager trustManager = new TrustManager();

  /** Loaded once: the certificate chain, key, CAs and their file stamps. {@code alias} names this generation. */
  private record Loaded(String alias, X509ExtendedKeyManager keys, X509ExtendedTrustManager trust,
      List<X509Certificate> chain, List<X509Certificate> cas, List<Object> stamps) {}

  /** Loads the files now; a problem is a {@link TlsException} naming the file. */
  public TlsMaterial(Path certFile, Path keyFile, Path caFile, Duration reloadInterval) {
    this.certFile = Objects.requireNonNull(certFile);
    this.keyFile = Objects.requireNonNull(keyFile);
    this.caFile = Objects.requireNonNull(caFile);
    this.reloadNanos = reloadInterval.toNanos();
    this.current = load(1);
    this.nextCheck = System.nanoTime() + reloadNanos;
    X509Certificate leaf = current.chain().getFirst();
    if (leaf.getNotAfter().toInstant().isBefore(Instant.now())) {
      LOG.warn("the certificate in {} expired on {}: peers and clients will refuse it", certFile, leaf.getNotAfter());
    }
  }

  private Loaded load(long generation) {
    List<Object> stamps = stamps();
    List<X509Certificate> chain = Pem.certificates("tls.cert-file", certFile);
    PrivateKey key = Pem.privateKey("tls.key-file", keyFile);
    List<X509Certificate> cas = Pem.certificates("tls.ca-file", caFile);
    Pem.checkPair(chain.getFirst(), key, certFile, keyFile);
    try {
      String alias = "aion-" + generation;
      char[] pw = new char[0];
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(alias, key, pw, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("NewSunX509");
      kmf.init(ks, pw);
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      for (int i = 0; i < cas.size(); i++) ts.setCertificateEntry("ca-" + i, cas.get(i));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(ts);
      return new Loaded(alias, (X509ExtendedKeyManager) kmf.getKeyManagers()[0],
          (X509ExtendedTrustManager) tmf.getTrustManagers()[0], chain, cas, stamps);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new TlsException("cannot use " + certFile + " / " + keyFile + " / " + caFile + ": " + e.getMessage());
    }
  }

  /** Size and modification time of each file (Kubernetes swaps Secret files by symlink: both change). */
  private List<Object> stamps() {
    return List.of(stamp(certFile), stamp(keyFile), stamp(caFile));
  }

  private static Object stamp(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis() + "/" + Files.size(p) + "/" + p.toRealPath();
    } catch (java.io.IOException e) {
      return "missing";
    }
  }

  /** Re-reads the files if the reload interval passed and they changed. Returns true if new material is in use. */
  public synchronized boolean reloadIfChanged() {
    nextCheck = System.nanoTime() + reloadNanos;
    Loaded cur = current;
    if (stamps().equals(cur.stamps())) return false;
    long gen = Long.parseLong(cur.alias().substring("aion-".length())) + 1;
    try {
      Loaded next = load(gen);
      previous = cur;
      current = next;
      LOG.info("TLS material reloaded from {}: certificate serial {} valid until {}", certFile,
          next.chain().getFirst().getSerialNumber().toString(16), next.chain().getFirst().getNotAfter());
      return true;
    } catch (RuntimeException e) {
      LOG.warn("TLS files changed but cannot be loaded; still using the previous certificate: {}", e.getMessage());
      return false;
    }
  }

  private Loaded fresh() {
    if (System.nanoTime() - nextCheck >= 0) reloadIfChanged();
    return current;
  }

  private Loaded byAlias(String alias) {
    Loaded cur = current;
    if (cur.alias().equals(alias)) return cur;
    Loaded prev = previous;
    return prev != null && prev.alias().equals(alias) ? prev : cur;
  }

  /** The certificate this node presents now. */
  public X509Certificate certificate() {
    return fresh().chain().getFirst();
  }

  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  public X509ExtendedTrustManager trustManager() {
    return trustManager;
  }

  /** A client-side context (for this node's calls to its peers): presents the node's certificate, trusts the CAs. */
  public SSLContext clientContext() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(new javax.net.ssl.KeyManager[] {keyManager}, new javax.net.ssl.TrustManager[] {trustManager}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new TlsException("cannot create a TLS context: " + e.getMessage());
    }
  }

  /** Delegates to the current generation; aliases name a generation so a handshake spanning a reload stays whole. */
  private final class KeyManager extends X509ExtendedKeyManager {
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return fresh().keys().getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return fresh().keys().chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return fresh().keys().chooseEngineClientAlias(keyType, issuers, engine);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return fresh().keys().getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return fresh().keys().chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return fresh().keys().chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return byAlias(stripNewSunPrefix(alias)).keys().getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return byAlias(stripNewSunPrefix(alias)).keys().getPrivateKey(alias);
    }
  }

  /** NewSunX509 aliases look like {@code 0.0.aion-3}: the builder index, the entry index, then the entry alias. */
  private static String stripNewSunPrefix(String alias) {
    if (alias == null) return "";
    int i = alias.lastIndexOf('.');
    return i >= 0 ? alias.substring(i + 1) : alias;
  }

  private final class TrustManager extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      fresh().trust().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      fresh().trust().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      fresh().trust().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      fresh().trust().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      fresh().trust().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      fresh().trust().checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return fresh().trust().getAcceptedIssuers();
    }
  }
}
