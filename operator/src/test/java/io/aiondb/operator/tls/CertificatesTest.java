package io.aiondb.operator.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.operator.Clusters;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.model.TlsBuilders;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificatesTest {
  @Test
  void aGeneratedCertificateChainsToItsCaNamesEveryMemberAndServesBothEnds() throws Exception {
    AionCluster cluster = Clusters.cluster("aion", 3, "0.1.0");
    Instant now = Instant.now();
    Certificates.Pair ca = Certificates.newCa("db/aion CA", now);
    Certificates.Pair leaf = Certificates.issue(ca, TlsBuilders.generatedNames(cluster), now);
    X509Certificate caCert = Certificates.parse(ca.certPem());
    X509Certificate cert = Certificates.parse(leaf.certPem());

    assertThat(Certificates.signedBy(cert, caCert)).isTrue();
    assertThat(Certificates.signedBy(cert, Certificates.parse(Certificates.newCa("other", now).certPem()))).isFalse();
    assertThat(caCert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"); // server and client
    assertThat(Duration.between(now, cert.getNotAfter().toInstant())).isBetween(Duration.ofDays(89), Duration.ofDays(91));
    List<String> sans = Certificates.dnsNames(cert);
    for (String host : TlsBuilders.requiredNames(cluster)) assertThat(Certificates.covers(sans, host)).as(host).isTrue();
    // after scaling to 7 members the same certificate still names them
    assertThat(Certificates.covers(sans, "aion-6.aion-peers.db.svc")).isTrue();
    // the key in the Secret is the certificate's
    var key = Certificates.privateKey(leaf.keyPem());
    var sig = java.security.Signature.getInstance("SHA256withECDSA");
    sig.initSign(key);
    sig.update(new byte[] {1, 2, 3});
    byte[] signature = sig.sign();
    sig.initVerify(cert.getPublicKey());
    sig.update(new byte[] {1, 2, 3});
    assertThat(sig.verify(signature)).isTrue();
  }

  @Test
  void aWildcardCoversExactlyOneLabel() {
    List<String> sans = List.of("*.aion-peers.db.svc", "aion.db.svc");
    assertThat(Certificates.covers(sans, "aion-0.aion-peers.db.svc")).isTrue();
    assertThat(Certificates.covers(sans, "AION.db.svc")).isTrue();
    assertThat(Certificates.covers(sans, "aion-peers.db.svc")).isFalse();
    assertThat(Certificates.covers(sans, "a.b.aion-peers.db.svc")).isFalse();
    assertThat(Certificates.covers(sans, "aion-0.aion-peers.other.svc")).isFalse();
  }
}
