package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.client.Aion;
import io.aiondb.client.AionClient;
import io.aiondb.client.AionException;
import io.aiondb.client.ClientTls;
import io.aiondb.server.AionServer;
import io.aiondb.server.config.ConfigException;
import io.aiondb.server.config.ConfigLoader;
import io.aiondb.server.security.TestPki;
import io.aiondb.server.security.TlsException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One node with TLS on: HTTPS and the binary protocol over TLS, hostname checks, client certificates, rotation. */
class TlsIT {
  @TempDir Path dir;

  private static String[] tlsFlags(TestPki pki, TestPki.Issued node, String... more) {
    var flags = new java.util.ArrayList<>(java.util.List.of("--http.host=127.0.0.1", "--tls.cert-file=" + node.cert(),
        "--tls.key-file=" + node.key(), "--tls.ca-file=" + pki.caFile, "--tls.reload-interval=200ms"));
    flags.addAll(java.util.List.of(more));
    return flags.toArray(String[]::new);
  }

  @Test
  void httpsAndTheProtocolServeClientsThatTrustTheCa() throws Exception {
    TestPki pki = new TestPki(dir.resolve("pki"), "aion-test");
    TestPki.Issued node = pki.issue("node", "localhost", "127.0.0.1");
    try (TestServer s = new TestServer(dir.resolve("data"), tlsFlags(pki, node))) {
      assertThat(s.url).startsWith("https://");
      SSLContext trust = ClientTls.fromPem(pki.caFile, null, null);
      try (AionClient http = AionClient.connect(s.url, Duration.ofSeconds(10), trust)) {
        http.createNamespace("n");
        http.put("n", "k", "over https");
        assertThat(http.get("n", "k")).hasValueSatisfying(kv -> assertThat(kv.text()).isEqualTo("over https"));
      }
      try (Aion db = Aion.builder().seeds(s.protocolAddress).tls(trust).requestTimeout(Duration.ofSeconds(10)).connect()) {
        db.put("n", "k2", "over the protocol");
        assertThat(db.get("n", "k").orElseThrow().text()).isEqualTo("over https");
        assertThat(db.get("n", "k2").orElseThrow().text()).isEqualTo("over the protocol");
      }

      // plain HTTP and a plain protocol client are refused; the server keeps serving
      HttpClient plain = HttpClient.newHttpClient();
      String plainUrl = s.url.replace("https://", "http://") + "/v1/ns/n/keys/k";
      assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create(plainUrl)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
      assertThatThrownBy(() -> Aion.builder().seeds(s.protocolAddress).requestTimeout(Duration.ofSeconds(2)).connect())
          .isInstanceOf(AionException.class);

      // a CA the server's certificate does not chain to
      TestPki other = new TestPki(dir.resolve("other"), "other");
      assertThatThrownBy(() -> Aion.builder().seeds(s.protocolAddress).tls(ClientTls.fromPem(other.caFile, null, null))
          .requestTimeout(Duration.ofSeconds(2)).connect())
          .isInstanceOf(AionException.class).hasMessageContaining("PKIX");

      try (AionClient http = AionClient.connect(s.url, Duration.ofSeconds(10), trust)) {
        assertThat(http.get("n", "k")).isPresent();
      }
    }
  }

  @Test
  void theCertificateMustNameTheAddressDialled() throws Exception {
    TestPki pki = new TestPki(dir.resolve("pki"), "aion-test");
    TestPki.Issued node = pki.issue("node", "db.example.internal"); // not 127.0.0.1, not localhost
    try (TestServer s = new TestServer(dir.resolve("data"), tlsFlags(pki, node))) {
      SSLContext trust = ClientTls.fromPem(pki.caFile, null, null);
      assertThatThrownBy(() -> Aion.builder().seeds(s.protocolAddress).tls(trust).requestTimeout(Duration.ofSeconds(2)).connect())
          .isInstanceOf(AionException.class).hasMessageContaining("127.0.0.1");
      HttpClient https = HttpClient.newBuilder().sslContext(trust).build();
      assertThatThrownBy(() -> https.send(HttpRequest.newBuilder(URI.create(s.url + "/health")).build(),
          HttpResponse.BodyHandlers.ofString())).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }
  }

  @Test
  void requiredClientCertificatesAreChecked() throws Exception {
    TestPki pki = new TestPki(dir.resolve("pki"), "aion-test");
    TestPki.Issued node = pki.issue("node", "127.0.0.1");
    TestPki.Issued client = pki.issue("client", "app");
    TestPki rogue = new TestPki(dir.resolve("rogue"), "rogue");
    TestPki.Issued rogueClient = rogue.issue("client", "app");
    try (TestServer s = new TestServer(dir.resolve("data"), tlsFlags(pki, node, "--tls.client-auth=require"))) {
      SSLContext anonymous = ClientTls.fromPem(pki.caFile, null, null);
      SSLContext withCert = ClientTls.fromPem(pki.caFile, client.cert(), client.key());
      SSLContext withRogueCert = ClientTls.fromPem(pki.caFile, rogueClient.cert(), rogueClient.key());
      HttpRequest health = HttpRequest.newBuilder(URI.create(s.url + "/health")).timeout(Duration.ofSeconds(5)).build();
      assertThat(HttpClient.newBuilder().sslContext(withCert).build().send(health, HttpResponse.BodyHandlers.ofString())
          .statusCode()).isEqualTo(200);
      for (SSLContext refused : new SSLContext[] {anonymous, withRogueCert}) {
        assertThatThrownBy(() -> HttpClient.newBuilder().sslContext(refused).build()
            .send(health, HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
        assertThatThrownBy(() -> Aion.builder().seeds(s.protocolAddress).tls(refused)
            .requestTimeout(Duration.ofSeconds(2)).connect()).isInstanceOf(AionException.class);
      }
      try (Aion db = Aion.builder().seeds(s.protocolAddress).tls(withCert).requestTimeout(Duration.ofSeconds(10)).connect()) {
        db.createNamespace("n");
        db.put("n", "k", "v");
        assertThat(db.get("n", "k")).isPresent();
      }
    }
  }

  /**
   * With auth.enabled, a client certificate naming {@code aion://service/<name>} (or {@code aion://user/<name>}) is that
   * identity, with the roles of its record, on both transports; a certificate without such a name is anonymous.
   */
  @Test
  void aClientCertificateNamingAServiceAccountHasItsRoles() throws Exception {
    TestPki pki = new TestPki(dir.resolve("pki"), "aion-test");
    TestPki.Issued node = pki.issue("node", "127.0.0.1");
    TestPki.Issued ci = pki.issue("ci", "ci-job", "aion://service/ci");
    TestPki.Issued plain = pki.issue("plain", "app");
    java.nio.file.Path pw = java.nio.file.Files.writeString(dir.resolve("root.pw"), "root-secret-pw");
    try (TestServer s = new TestServer(dir.resolve("data"), tlsFlags(pki, node, "--tls.client-auth=request",
        "--auth.enabled=true", "--auth.root-password-file=" + pw))) {
      HttpClient trusting = HttpClient.newBuilder().sslContext(ClientTls.fromPem(pki.caFile, null, null)).build();
      org.awaitility.Awaitility.await("root can log in").atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> send(trusting, s.url, "POST", "/v1/auth/login", null,
              "{\"user\":\"root\",\"password\":\"root-secret-pw\"}").statusCode() == 200);
      String root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(send(trusting, s.url, "POST",
          "/v1/auth/login", null, "{\"user\":\"root\",\"password\":\"root-secret-pw\"}").body()).path("token").asText();
      assertThat(send(trusting, s.url, "PUT", "/v1/namespaces/n", root, null).statusCode()).isEqualTo(201);
      assertThat(send(trusting, s.url, "PUT", "/v1/ns/n/keys/k", root, "{\"v\":1}").statusCode()).isEqualTo(200);
      assertThat(send(trusting, s.url, "PUT", "/v1/auth/services/ci", root, "{\"roles\":[\"readonly\"]}").statusCode())
          .isEqualTo(200);

      HttpClient asCi = HttpClient.newBuilder().sslContext(ClientTls.fromPem(pki.caFile, ci.cert(), ci.key())).build();
      HttpClient asPlain = HttpClient.newBuilder().sslContext(ClientTls.fromPem(pki.caFile, plain.cert(), plain.key())).build();
      assertThat(send(asCi, s.url, "GET", "/v1/auth/whoami", null, null).body()).contains("\"service:ci\"");
      assertThat(send(asCi, s.url, "GET", "/v1/ns/n/keys/k", null, null).statusCode()).isEqualTo(200);
      assertThat(send(asCi, s.url, "PUT", "/v1/ns/n/keys/k", null, "{\"v\":2}").statusCode()).isEqualTo(403);
      assertThat(send(asPlain, s.url, "GET", "/v1/ns/n/keys/k", null, null).statusCode()).isEqualTo(401);
      try (Aion db = Aion.builder().seeds(s.protocolAddress).tls(ClientTls.fromPem(pki.caFile, ci.cert(), ci.key()))
          .requestTimeout(Duration.ofSeconds(10)).connect()) {
        assertThat(db.get("n", "k")).map(kv -> kv.text()).contains("{\"v\":1}");
        assertThatThrownBy(() -> db.put("n", "k", "x")).isInstanceOf(AionException.NotAuthorized.class)
            .hasMessageContaining("FORBIDDEN");
      }
      assertThatThrownBy(() -> Aion.builder().seeds(s.protocolAddress).tls(ClientTls.fromPem(pki.caFile, plain.cert(),
          plain.key())).requestTimeout(Duration.ofSeconds(5)).connect().get("n", "k"))
          .isInstanceOf(AionException.NotAuthorized.class);
      // the account's roles decide: removed, the certificate grants nothing
      assertThat(send(trusting, s.url, "DELETE", "/v1/auth/services/ci", root, null).statusCode()).isEqualTo(200);
      assertThat(send(asCi, s.url, "GET", "/v1/ns/n/keys/k", null, null).statusCode()).isEqualTo(403);
    }
  }

  private static HttpResponse<String> send(HttpClient c, String url, String method, String path, String token,
      String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    if (token != null) b.header("Authorization", "Bearer " + token);
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRotatedCertificateIsServedWithoutARestartAndABrokenOneIsIgnored() throws Exception {
    TestPki pki = new TestPki(dir.resolve("pki"), "aion-test");
    TestPki.Issued first = pki.issue("node", "127.0.0.1");
    try (TestServer s = new TestServer(dir.resolve("data"), tlsFlags(pki, first))) {
      SSLContext trust = ClientTls.fromPem(pki.caFile, null, null);
      int port = Integer.parseInt(s.protocolAddress.substring(s.protocolAddress.lastIndexOf(':') + 1));
      assertThat(servedSerial(trust, port)).isEqualTo(first.serial());
      try (Aion db = Aion.builder().seeds(s.protocolAddress).tls(trust).requestTimeout(Duration.ofSeconds(10)).connect()) {
        db.createNamespace("n");
        db.put("n", "before", "1");

        TestPki.Issued second = pki.issue("node", "127.0.0.1"); // same files, new certificate and key
        Awaitility.await("the new certificate is served").atMost(Duration.ofSeconds(10))
            .until(() -> servedSerial(trust, port).equals(second.serial()));
        db.put("n", "during", "2"); // the connection made before the rotation still works
        String metrics = HttpClient.newBuilder().sslContext(trust).build().send(HttpRequest.newBuilder(
            URI.create(s.url + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher expiry = java.util.regex.Pattern.compile("(?m)^aion_tls_certificate_expiry_seconds (\\S+)$")
            .matcher(metrics);
        assertThat(expiry.find()).as(metrics).isTrue();
        X509Certificate served = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(Files.newInputStream(second.cert()));
        assertThat((long) Double.parseDouble(expiry.group(1))).isEqualTo(served.getNotAfter().getTime() / 1000);

        // a half-rotated Secret (a key that does not match the certificate) is refused; the last good one stays
        Files.copy(pki.issue("other", "127.0.0.1").key(), second.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Awaitility.await().pollDelay(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5))
            .until(() -> servedSerial(trust, port).equals(second.serial()));
        try (AionClient http = AionClient.connect(s.url, Duration.ofSeconds(10), trust)) {
          assertThat(http.get("n", "during")).isPresent();
        }
      }
    }
  }

  private static BigInteger servedSerial(SSLContext trust, int port) throws Exception {
    try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  @Test
  void unusableTlsSettingsStopTheServerWithAMessageNamingTheFile() throws Exception {
    TestPki pki = new TestPki(dir.resolve("pki"), "aion-test");
    TestPki.Issued node = pki.issue("node", "127.0.0.1");
    TestPki.Issued other = pki.issue("other", "127.0.0.1");
    assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--tls.cert-file=" + node.cert()}, Map.of(), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("tls.key-file").hasMessageContaining("tls.ca-file");
    assertThatThrownBy(() -> ConfigLoader.load(tlsFlags(pki, node, "--raft.transport=netty"), Map.of(), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("netty");
    assertThatThrownBy(() -> ConfigLoader.load(tlsFlags(pki, node, "--tls.client-auth=maybe"), Map.of(), null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("tls.client-auth");

    String[] mismatched = {"--data.dir=" + dir.resolve("d1"), "--http.port=0", "--raft.port=0", "--protocol.port=0",
        "--tls.cert-file=" + node.cert(), "--tls.key-file=" + other.key(), "--tls.ca-file=" + pki.caFile};
    assertThatThrownBy(() -> AionServer.start(ConfigLoader.load(mismatched, Map.of(), null)))
        .isInstanceOf(TlsException.class).hasMessageContaining(other.key().toString())
        .hasMessageContaining("not the private key");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
    String[] bad = {"--data.dir=" + dir.resolve("d2"), "--http.port=0", "--raft.port=0", "--protocol.port=0",
        "--tls.cert-file=" + node.cert(), "--tls.key-file=" + node.key(), "--tls.ca-file=" + garbage};
    assertThatThrownBy(() -> AionServer.start(ConfigLoader.load(bad, Map.of(), null)))
        .isInstanceOf(TlsException.class).hasMessageContaining("tls.ca-file").hasMessageContaining(garbage.toString());
  }
}
