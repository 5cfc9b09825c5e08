package io.aiondb.operator.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues and inspects the certificates of {@code spec.tls.mode: Generated}: a CA per cluster (ECDSA P-256, ten
 * years) and one certificate for all members (90 days, server and client use, so peers authenticate each other),
 * PEM-encoded with PKCS#8 keys. Also reads any PEM certificate to check validity, issuer and the names it covers.
 */
public final class Certificates {
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration LEAF_VALIDITY = Duration.ofDays(90);
  /** A member certificate is reissued when less than this is left (a third of its life). */
  public static final Duration RENEW_BEFORE = Duration.ofDays(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private Certificates() {}

  /** A certificate and its key, PEM. */
  public record Pair(String certPem, String keyPem) {}

  public static Pair newCa(String commonName, Instant now) {
    try {
      KeyPair keys = ecKeys();
      X500Name subject = new X500Name("CN=" + escape(commonName) + ",O=Aion DB");
      var b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(Duration.ofMinutes(5))),
          Date.from(now.plus(CA_VALIDITY)), subject, keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
      return new Pair(pem("CERTIFICATE", sign(b, keys.getPrivate()).getEncoded()), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create a CA: " + e.getMessage(), e);
    }
  }

  /** A certificate signed by {@code ca} naming {@code dnsNames} (first is the subject CN), for server and client use. */
  public static Pair issue(Pair ca, List<String> dnsNames, Instant now) {
    return issue(ca, dnsNames, List.of(), now);
  }

  /** The same, naming also the URIs {@code uris} (e.g. {@code aion://peer}: the Raft port's peer identity). */
  public static Pair issue(Pair ca, List<String> dnsNames, List<String> uris, Instant now) {
    try {
      X509Certificate caCert = parse(ca.certPem());
      PrivateKey caKey = privateKey(ca.keyPem());
      KeyPair keys = ecKeys();
      var b = new JcaX509v3CertificateBuilder(caCert, serial(), Date.from(now.minus(Duration.ofMinutes(5))),
          Date.from(now.plus(LEAF_VALIDITY)), new X500Name("CN=" + escape(dnsNames.get(0)) + ",O=Aion DB"), keys.getPublic());
      GeneralName[] sans = java.util.stream.Stream.concat(
          dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)),
          uris.stream().map(u -> new GeneralName(GeneralName.uniformResourceIdentifier, u))).toArray(GeneralName[]::new);
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      b.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(caCert));
      return new Pair(pem("CERTIFICATE", sign(b, caKey).getEncoded()), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a certificate: " + e.getMessage(), e);
    }
  }

  /** The first certificate in a PEM text. */
  public static X509Certificate parse(String pem) throws GeneralSecurityException {
    var certs = CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    if (certs.isEmpty()) throw new GeneralSecurityException("no PEM certificate");
    return (X509Certificate) certs.iterator().next();
  }

  /** A PEM private key: PKCS#8, PKCS#1 or SEC1. */
  public static PrivateKey privateKey(String pem) throws IOException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
        if (o instanceof PEMKeyPair pair) return converter.getKeyPair(pair).getPrivate();
      }
    }
    throw new IOException("no unencrypted PEM private key");
  }

  /** DNS names in the certificate's subject alternative names. */
  public static List<String> dnsNames(X509Certificate cert) throws GeneralSecurityException {
    List<String> out = new ArrayList<>();
    if (cert.getSubjectAlternativeNames() == null) return out;
    for (List<?> san : cert.getSubjectAlternativeNames()) {
      if (Integer.valueOf(GeneralName.dNSName).equals(san.get(0))) out.add(String.valueOf(san.get(1)));
    }
    return out;
  }

  /** The URI names of {@code cert}'s subject alternative names. */
  public static List<String> uris(X509Certificate cert) throws GeneralSecurityException {
    List<String> out = new java.util.ArrayList<>();
    if (cert.getSubjectAlternativeNames() == null) return out;
    for (List<?> san : cert.getSubjectAlternativeNames()) {
      if (Integer.valueOf(GeneralName.uniformResourceIdentifier).equals(san.get(0))) out.add(String.valueOf(san.get(1)));
    }
    return out;
  }

  /** True if a name in {@code sans} matches {@code host}; a wildcard {@code *.x} matches one label left of x (RFC 6125). */
  public static boolean covers(List<String> sans, String host) {
    String h = host.toLowerCase(Locale.ROOT);
    for (String san : sans) {
      String s = san.toLowerCase(Locale.ROOT);
      if (s.equals(h)) return true;
      if (s.startsWith("*.")) {
        int dot = h.indexOf('.');
        if (dot > 0 && h.substring(dot + 1).equals(s.substring(2))) return true;
      }
    }
    return false;
  }

  /** True if {@code cert} was signed by {@code ca}'s key. */
  public static boolean signedBy(X509Certificate cert, X509Certificate ca) {
    try {
      cert.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  public static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  private static String escape(String s) {
    return s.replaceAll("([,+\"\\\\<>;=])", "\\\\$1");
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }
}
