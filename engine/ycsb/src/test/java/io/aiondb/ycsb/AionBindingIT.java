package io.aiondb.ycsb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
