package io.aiondb.kubectl;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** PEM certificates (a TLS Secret's tls.crt and ca.crt). */
final class Certificates {
  private Certificates() {}

  /** Every certificate in the PEM text, leaf first as written; an error names what could not be read. */
  static List<X509Certificate> parse(String pem, String what) {
    try {
      Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      List<X509Certificate> out = new ArrayList<>();
      for (var c : all) out.add((X509Certificate) c);
      if (out.isEmpty()) throw new PluginException(what + " holds no certificate");
      return out;
    } catch (CertificateException e) {
      throw new PluginException(what + " is not a PEM certificate: " + e.getMessage());
    }
  }
}
