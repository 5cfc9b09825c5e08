package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write whose client was told TIMEOUT is not resent behind its back: on a real 3-process cluster, a follower's
 * Raft connections are made to accept bytes and never answer (each attempt to reach the leader waits out the 3 s
 * RPC timeout, the case in which a count of attempts kept one write retrying for about a minute here and ~15 minutes
 * with the defaults). The write through that follower answers 504 TIMEOUT within {@code request.timeout} (plus a
 * margin); the client's next write goes through the leader; then the connections are restored (the follower
 * reconnects at once). The timed-out write must never land after the later one: the Ratis client has stopped
 * resending it at {@code request.timeout}.
 */
class TimedOutWriteIT {
  private static final ObjectMapper M = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
  @TempDir Path dir;

  @Test
  void aTimedOutWriteIsNotResentAndNeverLandsAfterTheClientsNextWrite() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 3, "--request.timeout=" + REQUEST_TIMEOUT.toSeconds() + "s")
        .label("timed-out-write")) {
      int leader = cl.leaderIndex(WAIT);
      int node = leader % 3 + 1; // a follower: its writes go to the leader through its Raft client
      Awaitility.await("the namespace is created").atMost(WAIT).ignoreExceptions() // the leader's HTTP may start later
          .until(() -> HTTP.send(HttpRequest.newBuilder(URI.create(cl.url(leader) + "/v1/namespaces/a"))
              .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode() / 100 == 2);
      Awaitility.await("the follower writes through the leader").atMost(WAIT)
          .ignoreExceptions().until(() -> LocalCluster.putText(cl.url(node), "k", "v0").get().statusCode() == 200);

      cl.blackholeRaftFrom(node);
      long start = System.nanoTime();
      HttpResponse<String> timedOut = LocalCluster.putText(cl.url(node), "k", "v1").get();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(timedOut.statusCode()).as(timedOut.body()).isEqualTo(504);
      assertThat(M.readTree(timedOut.body()).path("code").asText()).isEqualTo("TIMEOUT");
      assertThat(took).as("the outcome is reported at request.timeout").isLessThan(REQUEST_TIMEOUT.plusSeconds(3));

      assertThat(LocalCluster.putText(cl.url(leader), "k", "v2").get().statusCode()).isEqualTo(200); // the same client's next write
      cl.heal(); // the follower reconnects at once: a write it still resent would reach the leader now
      Awaitility.await("the timed-out write never lands after the next one").during(Duration.ofSeconds(8))
          .atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(LocalCluster.newestValue(cl.url(leader))).isEqualTo("v2"));
      Awaitility.await("the follower writes again").atMost(WAIT).until(() -> LocalCluster.putText(cl.url(node), "k", "v3").get().statusCode() == 200);
      assertThat(LocalCluster.newestValue(cl.url(leader))).isEqualTo("v3");
    }
  }
}
