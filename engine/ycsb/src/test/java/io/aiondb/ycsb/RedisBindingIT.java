package io.aiondb.ycsb;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** {@link RedisBinding} against redis-server with appendonly and appendfsync always (installed if missing). */
class RedisBindingIT extends BindingContract {
  @TempDir static Path dir;
  private static LocalProcess server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    String redis = Packages.require("redis-server", "redis-server");
    port = LocalProcess.freePort();
    server = new LocalProcess("redis", List.of(redis, "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", ""), dir.resolve("redis.log"));
    server.awaitReady(Duration.ofSeconds(30), () -> {
      try (Jedis j = new Jedis("127.0.0.1", port, 1000)) {
        return "PONG".equals(j.ping());
      }
    });
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) server.close();
  }

  @Override
  String binding() {
    return RedisBinding.class.getName();
  }

  @Override
  Properties connection() {
    Properties p = new Properties();
    p.setProperty("redis.port", Integer.toString(port));
    return p;
  }
}
