package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.client.Aion;
import io.aiondb.client.AionClient;
import io.aiondb.client.AionClientException;
import io.aiondb.server.security.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-node cluster with TLS on every port: Raft between peers runs mutual TLS (a node whose certificate comes
 * from another CA is shut out of the group and rejoins once it has a good one), followers forward writes over it,
 * the cluster API reaches every member over https, and the native client speaks TLS to all members.
 */
class TlsClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir Path dir;

  private static long applied(LocalCluster cl, int i) {
    JsonNode st = cl.get(i, "/v1/status");
    return st == null ? -1 : st.path("appliedIndex").asLong(-1);
  }

  @Test
  void peersAuthenticateEachOtherAndClientsUseTls() throws Exception {
    TestPki pki = new TestPki(dir.resolve("pki"), "aion-cluster");
    try (LocalCluster cl = new LocalCluster(dir.resolve("nodes"), 3, 3, pki)) {
      int leader = cl.leaderIndex(WAIT);
      int follower = leader % 3 + 1;
      assertThat(cl.url(follower)).startsWith("https://");
      try (AionClient f = AionClient.connect(cl.url(follower), Duration.ofSeconds(30), cl.trust())) {
        f.createNamespace("t");
        f.put("t", "via-follower", "forwarded over the peers' TLS");
      }
      for (int i = 1; i <= 3; i++) {
        try (AionClient c = AionClient.connect(cl.url(i), Duration.ofSeconds(30), cl.trust())) {
          assertThat(c.get("t", "via-follower")).as("node %d", i).isPresent();
        }
      }
      // members and their status, fetched by the leader from each peer over https with its own certificate
      Awaitility.await("every member reachable").atMost(WAIT).until(() -> {
        JsonNode m = cl.get(leader, "/v1/cluster/members");
        if (m == null) return false;
        for (JsonNode member : m.path("members")) if (!member.path("reachable").asBoolean()) return false;
        return m.path("members").size() == 3;
      });
      try (Aion db = Aion.builder().seeds(cl.protocolSeeds()).addressMapper(LocalCluster::mapAddress).tls(cl.trust())
          .requestTimeout(Duration.ofSeconds(30)).connect()) {
        db.put("t", "native", "over the protocol's TLS");
        assertThat(db.get("t", "native")).isPresent();
      }

      // node 3 comes back with a certificate from a CA the others do not trust (and it trusts only that CA)
      int outsider = leader == 3 ? follower : 3;
      cl.kill(outsider);
      TestPki rogue = new TestPki(dir.resolve("rogue"), "rogue");
      cl.usePki(outsider, rogue);
      cl.start(outsider);
      Awaitility.await("the outsider answers").atMost(WAIT).until(() -> applied(cl, outsider) >= 0
          || rogueReachable(cl, outsider, rogue));
      long before = appliedVia(cl, outsider, rogue);
      int writer = leader;
      try (AionClient l = AionClient.connect(cl.url(writer), Duration.ofSeconds(30), cl.trust())) {
        for (int k = 0; k < 20; k++) l.put("t", "while-outside-" + k, "v");
      }
      // the majority kept committing; the outsider got nothing, for longer than several election timeouts
      // (checked continuously for 3 s, not slept through: any entry reaching it fails at once)
      Awaitility.await("the outsider gets nothing").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
          .until(() -> appliedVia(cl, outsider, rogue) == before);
      // the Raft port itself: a client certificate from the rogue CA is refused, one from the cluster's CA accepted
      TestPki.Issued rogueCert = rogue.issue("probe", "probe");
      TestPki.Issued goodCert = pki.issue("probe", "probe");
      assertThat(raftPortAnswers(cl, writer, io.aiondb.client.ClientTls.fromPem(pki.caFile, rogueCert.cert(), rogueCert.key())))
          .as("Raft port with a rogue client certificate").isFalse();
      assertThat(raftPortAnswers(cl, writer, io.aiondb.client.ClientTls.fromPem(pki.caFile, null, null)))
          .as("Raft port without a client certificate").isFalse();
      assertThat(raftPortAnswers(cl, writer, io.aiondb.client.ClientTls.fromPem(pki.caFile, goodCert.cert(), goodCert.key())))
          .as("Raft port with the cluster's client certificate").isTrue();

      // with a certificate from the cluster's CA it rejoins and catches up
      cl.kill(outsider);
      cl.usePki(outsider, pki);
      cl.start(outsider);
      try (AionClient o = AionClient.connect(cl.url(outsider), Duration.ofSeconds(30), cl.trust())) {
        Awaitility.await("the outsider catches up").atMost(WAIT).until(() -> {
          try {
            return o.get("t", "while-outside-19").isPresent();
          } catch (AionClientException e) {
            return false;
          }
        });
      }
    }
  }

  /**
   * tls.peer-identity=uri: the members (certificates naming aion://peer/<id>) replicate as usual, and the Raft port
   * refuses a client certificate from the same CA (aion://user/alice, or a plain host name) that it accepted before.
   */
  @Test
  void withPeerIdentityTheRaftPortAcceptsOnlyPeerCertificates() throws Exception {
    TestPki pki = new TestPki(dir.resolve("pki-peers"), "aion-peers");
    try (LocalCluster cl = new LocalCluster(dir.resolve("nodes-peers"), 3, 3, pki, "--tls.peer-identity=uri")) {
      int leader = cl.leaderIndex(WAIT);
      int follower = leader % 3 + 1;
      try (AionClient f = AionClient.connect(cl.url(follower), Duration.ofSeconds(30), cl.trust())) {
        f.createNamespace("p");
        f.put("p", "k", "forwarded to the leader over the peers' TLS");
      }
      for (int i = 1; i <= 3; i++) {
        try (AionClient c = AionClient.connect(cl.url(i), Duration.ofSeconds(30), cl.trust())) {
          int node = i;
          Awaitility.await("node " + node + " has the write").atMost(WAIT).ignoreExceptions()
              .until(() -> c.get("p", "k").isPresent());
        }
      }
      TestPki.Issued user = pki.issue("alice", "aion://user/alice");
      TestPki.Issued host = pki.issue("probe-host", "probe");
      TestPki.Issued peer = pki.issue("probe-peer", "aion://peer/probe");
      assertThat(raftPortAnswers(cl, leader, io.aiondb.client.ClientTls.fromPem(pki.caFile, user.cert(), user.key())))
          .as("Raft port with a user's certificate from the cluster's CA").isFalse();
      assertThat(raftPortAnswers(cl, leader, io.aiondb.client.ClientTls.fromPem(pki.caFile, host.cert(), host.key())))
          .as("Raft port with a certificate that names no peer").isFalse();
      assertThat(raftPortAnswers(cl, leader, io.aiondb.client.ClientTls.fromPem(pki.caFile, peer.cert(), peer.key())))
          .as("Raft port with a peer certificate").isTrue();
      // the API ports still take the user's certificate (it identifies alice there, not a peer)
      try (AionClient a = AionClient.connect(cl.url(follower), Duration.ofSeconds(30),
          io.aiondb.client.ClientTls.fromPem(pki.caFile, user.cert(), user.key()))) {
        assertThat(a.get("p", "k")).isPresent();
      }
    }
  }

  /**
   * Opens TLS to node i's Raft (gRPC) port with {@code ctx}, sends the HTTP/2 preface and reads: the server answers
   * with its SETTINGS frame only if it accepted the client's certificate (TLS 1.3 reports a refused one on read).
   */
  private static boolean raftPortAnswers(LocalCluster cl, int i, javax.net.ssl.SSLContext ctx) {
    try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ctx.getSocketFactory()
        .createSocket(LocalCluster.nodeIp(i), cl.raftPort())) {
      s.setSoTimeout(3000);
      javax.net.ssl.SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      s.startHandshake();
      s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      s.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
      s.getOutputStream().flush();
      return s.getInputStream().read() >= 0;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** The outsider's applied index, asked over https trusting its rogue CA. */
  private static long appliedVia(LocalCluster cl, int i, TestPki rogue) throws Exception {
    var http = java.net.http.HttpClient.newBuilder()
        .sslContext(io.aiondb.client.ClientTls.fromPem(rogue.caFile, null, null)).build();
    var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(cl.url(i) + "/v1/status"))
        .timeout(Duration.ofSeconds(3)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("appliedIndex").asLong();
  }

  private static boolean rogueReachable(LocalCluster cl, int i, TestPki rogue) {
    try {
      appliedVia(cl, i, rogue);
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
