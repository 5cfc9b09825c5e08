package io.aiondb.server.it;

import io.aiondb.client.AionClient;
import io.aiondb.server.AionServer;
import io.aiondb.server.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real server in this JVM on a free port with its own data directory. */
public final class TestServer implements AutoCloseable {
  public final AionServer server;
  public final AionClient client;
  public final String url;
  /** host:port of the binary protocol. */
  public final String protocolAddress;

  public TestServer(Path dataDir, String... extraFlags) {
    List<String> args = new ArrayList<>(List.of("--http.port=0", "--raft.port=0", "--data.dir=" + dataDir, "--storage.sync=false",
        "--shutdown.grace=2s", "--protocol.port=0"));
    args.addAll(List.of(extraFlags));
    server = AionServer.start(ConfigLoader.load(args.toArray(String[]::new), Map.of(), null));
    url = server.url();
    protocolAddress = "127.0.0.1:" + server.protocolPort();
    client = AionClient.connect(url);
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
