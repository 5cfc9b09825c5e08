package io.aiondb.server.protocol;

import io.aiondb.server.Node;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** The binary protocol's TCP listener (Vert.x). RocksDB reads run on virtual threads, never on the event loop. */
public final class ProtocolServer implements AutoCloseable {
  private final Vertx vertx;
  private final Node node;
  private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
  private NetServer server;

  public ProtocolServer(Vertx vertx, Node node) {
    this.vertx = vertx;
    this.node = node;
  }

  public Future<NetServer> listen(String host, int port) {
    NetServerOptions options = new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true);
    io.aiondb.server.security.ServerTls.apply(options, node.tls(), node.config().tlsClientAuth());
    return vertx.createNetServer(options)
        .connectHandler(socket -> new Connection(socket, node, readers, this::port))
        .listen()
        .onSuccess(s -> server = s);
  }

  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  /** Stops accepting and closes every connection (in-flight writes still complete in the log). */
  @Override
  public void close() {
    if (server != null) {
      try {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // closing anyway
      }
    }
    readers.shutdown();
  }
}
