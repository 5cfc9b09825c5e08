package io.aiondb.server.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads PEM certificates and private keys as Kubernetes TLS Secrets and cert-manager hold them: certificate chains and
 * CA bundles, keys in PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1
 * ({@code BEGIN EC PRIVATE KEY}). Encrypted keys are refused with a message (the server has no passphrase setting).
 */
public final class Pem {
  private Pem() {}

  /** Every certificate in the file, in order; at least one. */
  public static List<X509Certificate> certificates(String setting, Path file) {
    byte[] bytes = read(setting, file);
    try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
      List<X509Certificate> certs = new ArrayList<>();
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) certs.add((X509Certificate) c);
      if (certs.isEmpty()) throw new TlsException(setting + " " + file + " holds no PEM certificate");
      return certs;
    } catch (CertificateException | IOException e) {
      throw new TlsException(setting + " " + file + " is not a PEM certificate file: " + e.getMessage());
    }
  }

  public static PrivateKey privateKey(String setting, Path file) {
    byte[] bytes = read(setting, file);
    try (Reader r = new java.io.InputStreamReader(new java.io.ByteArrayInputStream(bytes),
        java.nio.charset.StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
        if (o instanceof PEMKeyPair pair) return converter.getKeyPair(pair).getPrivate();
        if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof org.bouncycastle.openssl.PEMEncryptedKeyPair) {
          throw new TlsException(setting + " " + file + " is an encrypted private key; give the key without a passphrase "
              + "(protect it with file permissions or a Kubernetes Secret)");
        }
      }
      throw new TlsException(setting + " " + file + " holds no PEM private key (PKCS#8, PKCS#1 or SEC1)");
    } catch (IOException e) {
      throw new TlsException(setting + " " + file + " is not a PEM private key: " + e.getMessage());
    }
  }

  /** Fails unless {@code key} is the private half of {@code cert}'s public key (a sign/verify round). */
  public static void checkPair(X509Certificate cert, PrivateKey key, Path certFile, Path keyFile) {
    PublicKey pub = cert.getPublicKey();
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new TlsException(keyFile + ": unsupported key algorithm " + key.getAlgorithm() + " (use RSA, EC or Ed25519)");
    };
    try {
      byte[] probe = "aion-key-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(probe);
      if (!v.verify(sig)) throw new TlsException(keyFile + " is not the private key of the certificate in " + certFile);
    } catch (GeneralSecurityException e) {
      throw new TlsException(keyFile + " is not the private key of the certificate in " + certFile + ": " + e.getMessage());
    }
  }

  private static byte[] read(String setting, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new TlsException(setting + ": cannot read " + file + ": " + e);
    }
  }
}
