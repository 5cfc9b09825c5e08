package io.aiondb.server;

import io.aiondb.server.config.AionConfig;
import io.aiondb.server.config.ConfigException;
import io.aiondb.server.config.ConfigLoader;
import io.aiondb.server.config.Settings;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** {@code aion-server [--config FILE] [--name=value ...]}; see docs/configuration.md. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && args[0].equals("restore")) {
      System.exit(RestoreCommand.run(Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out, System.err));
      return;
    }
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.println("usage: aion-server [--config FILE] [--name=value ...]");
      System.out.println("       aion-server restore --backup ID|latest --data.dir DIR [--init] [--config FILE] [--backup.s3.*=...]"
          + "  (docs/backup.md)\n");
      for (Settings.Setting s : Settings.ALL) {
        System.out.printf("  --%-28s %s (default: %s; env %s)%n", s.name(), s.doc(),
            s.defaultValue().isEmpty() ? "none" : s.defaultValue(), s.envName());
      }
      return;
    }
    if (Arrays.asList(args).contains("--config-doc")) {
      System.out.print(Settings.markdown());
      return;
    }
    AionConfig config;
    try {
      config = ConfigLoader.load(args, System.getenv(), null);
    } catch (ConfigException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", config.logLevel());
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    System.setProperty("org.slf4j.simpleLogger.log.io.netty", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.io.vertx", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.ratis", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.ratis.server.RaftServer$Division", "info");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.ratis.server.impl.LeaderElection", "info");
    // before any RocksJava class loads the library its own way (a fresh 16 MB copy in /tmp per process)
    io.aiondb.server.storage.NativeLibrary.loadRocksDb();

    AionServer server;
    try {
      server = AionServer.start(config);
    } catch (RuntimeException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "aion-shutdown"));
    String url = server.url();
    System.out.println();
    System.out.println("Aion DB " + config.nodeId() + " is ready at " + url + "  (data: " + config.dataDir().toAbsolutePath() + ")");
    System.out.println("Try:");
    System.out.println("  curl -X PUT " + url + "/v1/namespaces/demo");
    System.out.println("  curl -X PUT -H 'Content-Type: application/json' -d '{\"hello\":\"world\"}' " + url + "/v1/ns/demo/keys/greeting");
    System.out.println("  curl " + url + "/v1/ns/demo/keys/greeting");
    System.out.println("Stop with Ctrl-C.");
    System.out.flush();
    stopped.await();
  }
}
