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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission and the fate of timed-out writes, on a real 3-process cluster whose leader and second follower stop
 * answering (SIGSTOP), seen from the remaining follower (writes cannot commit, so they pile up): beyond {@code admission.max-pending-writes} a write is refused at once with 503
 * OVERLOADED and Retry-After, the admitted ones end with 504 TIMEOUT (outcome unknown) at {@code request.timeout},
 * and the node then holds no pending write (nothing is resent behind the client's back, so nothing can land later
 * behind the client's next write) and no reader waiting for a revision that never came.
 */
class AdmissionIT {
  private static final ObjectMapper M = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir Path dir;

  private static JsonNode admission(LocalCluster cl, int i) {
    return cl.get(i, "/v1/status").path("admission");
  }

  @Test
  void aNodeCutOffFromTheLeaderRefusesBeyondItsBoundAndForgetsTimedOutWrites() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 3, "--request.timeout=3s", "--admission.max-pending-writes=4")
        .label("admission")) {
      int leader = cl.leaderIndex(WAIT);
      int node = leader % 3 + 1; // a follower: its writes go to a leader that stops answering
      String url = cl.url(node);
      assertThat(LocalCluster.putText(url, "x", "0").get().statusCode()).isEqualTo(404); // no namespace yet: answered, not pending
      assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/namespaces/a")).PUT(HttpRequest.BodyPublishers.noBody())
          .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
      // the other two stop answering (SIGSTOP): every attempt to reach them waits out the RPC timeout, the case in
      // which a count of attempts kept a write retrying for minutes
      for (int i = 1; i <= 3; i++) if (i != node) cl.pause(i);

      List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
      for (int i = 0; i < 4; i++) sent.add(LocalCluster.putText(url, "k", "lost-" + i));
      Awaitility.await("four writes admitted").atMost(WAIT).until(() -> admission(cl, node).path("pendingWrites").asInt() == 4);
      List<CompletableFuture<HttpResponse<String>>> extra = new ArrayList<>();
      for (int i = 0; i < 6; i++) extra.add(LocalCluster.putText(url, "k", "refused-" + i));
      for (var f : extra) {
        HttpResponse<String> r = f.get();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(M.readTree(r.body()).path("code").asText()).isEqualTo("OVERLOADED");
        assertThat(r.headers().firstValue("Retry-After")).contains("1");
      }
      for (var f : sent) {
        HttpResponse<String> r = f.get();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
        assertThat(M.readTree(r.body()).path("code").asText()).isEqualTo("TIMEOUT");
      }
      // a read waiting for a revision that never comes
      HttpResponse<String> wait = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/ns/a/keys/k?consistency=stale&minRevision=999999999")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(wait.statusCode()).as(wait.body()).isEqualTo(504);
      // the Ratis client stops resending at request.timeout (+ at most one 3 s RPC in flight): nothing stays pending
      Awaitility.await("no write pending after its timeout").atMost(Duration.ofSeconds(8)).until(() -> {
        JsonNode a = admission(cl, node);
        return a.path("pendingWrites").asInt() == 0 && a.path("pendingWriteBytes").asLong() == 0
            && a.path("revisionWaiters").asInt() == 0;
      });

      for (int i = 1; i <= 3; i++) if (i != node) cl.resume(i);
      int now = cl.leaderIndex(WAIT);
      Awaitility.await("the cluster writes again").atMost(WAIT).until(() -> LocalCluster.putText(cl.url(now), "k", "final").get().statusCode() == 200);
      // whatever became of the timed-out writes, none lands after the client's next write: the newest version stays
      // "final" for longer than a resent write could take to arrive
      Awaitility.await("no timed-out write lands after the next one").during(Duration.ofSeconds(5))
          .atMost(Duration.ofSeconds(15)).until(() -> LocalCluster.newestValue(cl.url(now)).equals("final"));
    }
  }
}
