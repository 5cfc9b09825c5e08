package io.aiondb.ycsb;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@link EtcdBinding} against one etcd member (Debian's etcd-server, installed by {@link Packages} if missing). */
class EtcdBindingIT extends BindingContract {
  @TempDir static Path dir;
  private static LocalProcess server;
  private static String endpoint;

  @BeforeAll
  static void start() throws Exception {
    String etcd = Packages.require("etcd", "etcd-server");
    int client = LocalProcess.freePort();
    int peer = LocalProcess.freePort();
    endpoint = "http://127.0.0.1:" + client;
    String peerUrl = "http://127.0.0.1:" + peer;
    server = new LocalProcess("etcd", List.of(etcd, "--name", "e1", "--data-dir", dir.resolve("e1").toString(),
        "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint, "--listen-peer-urls", peerUrl,
        "--initial-advertise-peer-urls", peerUrl, "--initial-cluster", "e1=" + peerUrl), dir.resolve("etcd.log"));
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpRequest health = HttpRequest.newBuilder(URI.create(endpoint + "/health")).timeout(Duration.ofSeconds(2)).build();
      server.awaitReady(Duration.ofSeconds(30), () -> {
        try {
          return http.send(health, HttpResponse.BodyHandlers.ofString()).body().contains("\"true\"");
        } catch (Exception e) {
          return false;
        }
      });
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) server.close();
  }

  @Override
  String binding() {
    return EtcdBinding.class.getName();
  }

  @Override
  Properties connection() {
    Properties p = new Properties();
    p.setProperty("etcd.endpoints", endpoint);
    return p;
  }
}
