package io.aiondb.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the {@link SSLContext} a client needs for a cluster with TLS on, from PEM files (JDK only, no extra
 * dependency): the CA that signed the members' certificates and, when the server asks for one
 * ({@code tls.client-auth}), the client's own certificate and key. Keys: PKCS#8 ({@code BEGIN PRIVATE KEY}, RSA or
 * EC) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}); convert others with {@code openssl pkcs8 -topk8 -nocrypt}.
 */
public final class ClientTls {
  private ClientTls() {}

  /**
   * @param caFile   PEM CA certificates to trust (the cluster's CA)
   * @param certFile the client's PEM certificate chain, or null
   * @param keyFile  its PEM private key, or null (both or neither)
   */
  public static SSLContext fromPem(Path caFile, Path certFile, Path keyFile) {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
    }
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      List<Certificate> cas = certificates(caFile);
      for (int i = 0; i < cas.size(); i++) trust.setCertificateEntry("ca-" + i, cas.get(i));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      javax.net.ssl.KeyManager[] keyManagers = null;
      if (certFile != null) {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", privateKey(keyFile), new char[0], certificates(certFile).toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("NewSunX509");
        kmf.init(keys, new char[0]);
        keyManagers = kmf.getKeyManagers();
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keyManagers, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot set up TLS from " + caFile
          + (certFile == null ? "" : ", " + certFile + ", " + keyFile) + ": " + e.getMessage(), e);
    }
  }

  static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    try (var in = new ByteArrayInputStream(Files.readAllBytes(file))) {
      List<Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (certs.isEmpty()) throw new IOException(file + " holds no PEM certificate");
      return certs;
    }
  }

  static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    if (pem.contains("BEGIN PRIVATE KEY")) {
      byte[] der = body(pem, "PRIVATE KEY");
      for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
        try {
          return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException ignored) {
          // try the next algorithm
        }
      }
      throw new IOException(file + ": a PKCS#8 key of an unsupported algorithm (use RSA, EC or Ed25519)");
    }
    if (pem.contains("BEGIN RSA PRIVATE KEY")) {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(rsaPkcs1ToPkcs8(body(pem, "RSA PRIVATE KEY"))));
    }
    throw new IOException(file + " holds no unencrypted PKCS#8 or PKCS#1 private key; convert it with "
        + "'openssl pkcs8 -topk8 -nocrypt -in " + file + "'");
  }

  private static byte[] body(String pem, String label) throws IOException {
    String begin = "-----BEGIN " + label + "-----";
    int a = pem.indexOf(begin);
    int b = pem.indexOf("-----END " + label + "-----", a);
    if (a < 0 || b < 0) throw new IOException("malformed PEM " + label);
    return Base64.getMimeDecoder().decode(pem.substring(a + begin.length(), b));
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, octet string). */
  static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
    byte[] algId = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = tlv(0x04, pkcs1);
    byte[] inner = new byte[version.length + algId.length + octets.length];
    System.arraycopy(version, 0, inner, 0, version.length);
    System.arraycopy(algId, 0, inner, version.length, algId.length);
    System.arraycopy(octets, 0, inner, version.length + algId.length, octets.length);
    return tlv(0x30, inner);
  }

  private static byte[] tlv(int tag, byte[] value) {
    int n = value.length;
    byte[] len;
    if (n < 0x80) len = new byte[] {(byte) n};
    else if (n < 0x100) len = new byte[] {(byte) 0x81, (byte) n};
    else if (n < 0x10000) len = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    else len = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    byte[] out = new byte[1 + len.length + n];
    out[0] = (byte) tag;
    System.arraycopy(len, 0, out, 1, len.length);
    System.arraycopy(value, 0, out, 1 + len.length, n);
    return out;
  }
}
