package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.client.protocol.Frames;
import io.aiondb.client.protocol.Requests;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Watch limits per client address and per connection, and slow consumers cut after watch.send-timeout. */
class WatchLimitsIT {
  private static final ObjectMapper M = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path dir;

  private static HttpResponse<InputStream> watch(TestServer s, String key) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(s.url + "/v1/ns/w/watch?key=" + key)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  @Test
  void aClientIsLimitedPerAddressAndASlowConsumerIsCutAndTheNodeKeepsServing() throws Exception {
    try (TestServer s = new TestServer(dir.resolve("d"), "--watch.max-per-client=2", "--watch.send-timeout=1s")) {
      s.client.createNamespace("w");
      var hub = s.server.node().watches();
      HttpResponse<InputStream> a = watch(s, "a");
      HttpResponse<InputStream> b = watch(s, "b");
      assertThat(a.statusCode()).isEqualTo(200);
      assertThat(b.statusCode()).isEqualTo(200);
      HttpResponse<InputStream> c = watch(s, "c");
      assertThat(c.statusCode()).isEqualTo(429);
      assertThat(M.readTree(c.body().readAllBytes()).path("code").asText()).isEqualTo("TOO_MANY_WATCHES");
      assertThat(hub.heldBy("127.0.0.1")).isEqualTo(2);
      a.body().close();
      b.body().close();
      Awaitility.await("closed watches give their slots back").atMost(Duration.ofSeconds(10))
          .until(() -> hub.heldBy("127.0.0.1") == 0 && hub.active() == 0);

      // a watch whose client never reads, while large values are written to its key: cut after the send timeout
      HttpResponse<InputStream> stalled = watch(s, "big");
      assertThat(stalled.statusCode()).isEqualTo(200);
      byte[] value = new byte[1 << 20];
      for (int i = 0; i < 40; i++) s.client.put("w", "big".getBytes(), value, "application/octet-stream");
      Awaitility.await("the stalled watch is cut").atMost(Duration.ofSeconds(30)).until(() -> hub.active() == 0);
      stalled.body().close();
      s.client.put("w", "after", "v");
      assertThat(s.client.get("w", "after")).isPresent();
    }
  }

  @Test
  void aProtocolConnectionIsLimitedInWatches() throws Exception {
    try (TestServer s = new TestServer(dir.resolve("d"), "--watch.max-per-connection=2")) {
      s.client.createNamespace("w");
      try (Socket sock = HostileClientIT.hello(s)) {
        var out = sock.getOutputStream();
        for (int id = 2; id <= 4; id++) {
          out.write(Frames.frame(id, Frames.WATCH, Requests.watch("w", false, ("k" + id).getBytes(), 0)));
        }
        out.flush();
        // the first two are open (each sends a progress mark once caught up); the third is refused
        HostileClientIT.Frame refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
          HostileClientIT.Frame f = HostileClientIT.read(sock);
          if (f.kind() == Frames.ERROR) refused = f;
        }
        assertThat(refused).isNotNull();
        assertThat(refused.id()).isEqualTo(4);
        assertThat(refused.code()).isEqualTo("TOO_MANY_WATCHES");
      }
    }
  }
}
