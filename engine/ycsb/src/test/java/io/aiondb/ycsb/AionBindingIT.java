package io.aiondb.ycsb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import static org.assertj.core.api.Assertions.assertThat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AionBinding} against one Aion node with fsync on, started from this module's runtime classpath
 * ({@code target/lib}, written at package time) in its own JVM.
 */
class AionBindingIT extends BindingContract {
  @TempDir static Path dir;
  private static LocalProcess server;
  private static String url;
  private static int protocolPort;

  @BeforeAll
  static void start() throws Exception {
    Path lib = Path.of("target/lib").toAbsolutePath();
    if (!Files.isDirectory(lib)) throw new IllegalStateException("run through Maven (package copies the server to " + lib + ")");
    Path portFile = dir.resolve("port");
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      protocolPort = free.getLocalPort();
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    server = new LocalProcess("aion", List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:+UseSerialGC",
        "-cp", lib + "/*", "io.aiondb.server.Main", "--data.dir=" + dir.resolve("data"), "--http.port=0", "--raft.port=0",
        "--http.port-file=" + portFile, "--storage.sync=true", "--log.level=warn"),
        Map.of("AION_PROTOCOL_PORT", Integer.toString(protocolPort)),
        dir.resolve("aion.log"));
    server.awaitReady(Duration.ofSeconds(60), () -> Files.exists(portFile));
    url = "http://127.0.0.1:" + Files.readString(portFile).trim();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) server.close();
  }

  /**
   * aion.batchsize: the load phase writes each thread's inserts as batches (one revision per batch), every record
   * arrives, and YCSB counts no error; the run phase ignores the property.
   */
  @org.junit.jupiter.api.Test
  void batchedLoadWritesEveryRecordInBatches() throws Exception {
    Properties base = PeersBench.baseProperties(binding(), "256", 200, connection());
    base.setProperty("table", "batched");
    base.setProperty("aion.batchsize", "30");
    Properties load = new Properties();
    load.putAll(PeersBench.workload("a"));
    load.putAll(base);
    YcsbPhase.Result r = YcsbPhase.run(load, true, 4, 200, 0);
    assertThat(r.errors()).isEmpty();
    assertThat(r.opsDone()).isEqualTo(200);
    try (io.aiondb.client.Aion db = io.aiondb.client.Aion.connect("127.0.0.1:" + protocolPort)) {
      com.fasterxml.jackson.databind.JsonNode page = db.query("batched", "{\"limit\": 1000, \"keysOnly\": true}");
      assertThat(page.path("items")).hasSize(200);
      java.util.Set<Long> revisions = new java.util.HashSet<>();
      page.path("items").forEach(i -> revisions.add(i.path("revision").asLong()));
      // 4 threads x 50 records, batches of 30: 2 batches per thread (30 + 20 at cleanup) = 8 revisions, not 200
      assertThat(revisions).hasSize(8);
    }
    YcsbPhase.Result run = YcsbPhase.run(with(base, "a"), false, 2, 100, 0);
    assertThat(run.errors()).isEmpty();
  }

  private static Properties with(Properties base, String workload) throws Exception {
    Properties p = new Properties();
    p.putAll(PeersBench.workload(workload));
    p.putAll(base);
    return p;
  }

  @Override
  String binding() {
    return AionBinding.class.getName();
  }

  @Override
  Properties connection() {
    Properties p = new Properties();
    p.setProperty("aion.endpoints", "127.0.0.1:" + protocolPort);
    return p;
  }
}
