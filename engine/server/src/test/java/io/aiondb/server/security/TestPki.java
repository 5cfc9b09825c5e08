package io.aiondb.server.security;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA for tests: issues node and client certificates as PEM files in a directory. */
public final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();
  public final Path dir;
  public final Path caFile;
  private final KeyPair caKeys;
  private final X509Certificate ca;

  /** A leaf: its files and serial number. */
  public record Issued(Path cert, Path key, BigInteger serial) {}

  public TestPki(Path dir, String name) throws Exception {
    this.dir = Files.createDirectories(dir);
    this.caKeys = ecKeys();
    X500Name subject = new X500Name("CN=" + name);
    var b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(Instant.now().minusSeconds(60)),
        Date.from(Instant.now().plus(Duration.ofDays(2))), subject, caKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    this.ca = sign(b, caKeys.getPrivate());
    this.caFile = dir.resolve(name + "-ca.pem");
    Files.writeString(caFile, pem("CERTIFICATE", ca.getEncoded()));
  }

  /**
   * Issues a certificate for server and client use naming {@code names} (host names, or IP literals), written to
   * {@code <file>.crt} and {@code <file>.key} (PKCS#8) in this PKI's directory, replacing earlier files of that name.
   */
  public Issued issue(String file, String... names) throws Exception {
    KeyPair keys = ecKeys();
    BigInteger serial = serial();
    var b = new JcaX509v3CertificateBuilder(ca, serial, Date.from(Instant.now().minusSeconds(60)),
        Date.from(Instant.now().plus(Duration.ofDays(1))), new X500Name("CN=" + (names.length > 0 ? names[0] : file)),
        keys.getPublic());
    List<GeneralName> sans = new ArrayList<>();
    for (String n : names) {
      sans.add(n.contains("://") ? new GeneralName(GeneralName.uniformResourceIdentifier, n)
          : n.matches("[0-9.]+|.*:.*") ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(n).getHostAddress())
          : new GeneralName(GeneralName.dNSName, n));
    }
    if (!sans.isEmpty()) b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    b.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    X509Certificate cert = sign(b, caKeys.getPrivate());
    Path certFile = dir.resolve(file + ".crt");
    Path keyFile = dir.resolve(file + ".key");
    // write beside and move, as a Secret update would: a reader never sees half a file
    writeAtomically(keyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    writeAtomically(certFile, pem("CERTIFICATE", cert.getEncoded()));
    return new Issued(certFile, keyFile, serial);
  }

  private static void writeAtomically(Path target, String content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  public static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  private static KeyPair ecKeys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(63, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }
}
