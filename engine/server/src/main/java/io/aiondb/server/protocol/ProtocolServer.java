package io.aiondb.server.protocol;

import io.aiondb.server.ErrorCode;
import io.aiondb.server.Node;
import io.aiondb.server.config.ConnectionLimits;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The binary protocol's TCP listener (Vert.x). RocksDB reads and large value checks run on virtual threads, never
 * on the event loop. At most protocol.max-connections connections are open at once: one more gets an ERROR frame
 * {@code TOO_MANY_CONNECTIONS} (id 0) and is closed.
 */
public final class ProtocolServer implements AutoCloseable {
  /** How long a refused connection stays open after its error frame, so the client reads it before the close. */
  private static final long REFUSED_LINGER_MILLIS = 200;

  private final Vertx vertx;
  private final Node node;
  private final ConnectionLimits limits;
  private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger open = new AtomicInteger();
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private NetServer server;

  public ProtocolServer(Vertx vertx, Node node) {
    this.vertx = vertx;
    this.node = node;
    this.limits = node.config().connections();
    Gauge.builder("aion.protocol.connections", open, AtomicInteger::get)
        .description("Open binary protocol connections").register(node.metrics());
    Gauge.builder("aion.protocol.held.bytes", this, ProtocolServer::heldBytes)
        .description("Bytes held by binary protocol connections: request payloads in flight and answers not yet "
            + "written (each connection is bounded by protocol.max-connection-memory)")
        .register(node.metrics());
  }

  public Future<NetServer> listen(String host, int port) {
    NetServerOptions options = new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true);
    io.aiondb.server.security.ServerTls.apply(options, node.tls(), node.config().tlsClientAuth());
    return vertx.createNetServer(options)
        .connectHandler(this::accept)
        .listen()
        .onSuccess(s -> server = s);
  }

  private void accept(NetSocket socket) {
    if (open.incrementAndGet() > limits.protocolMaxConnections()) {
      open.decrementAndGet();
      socket.handler(b -> { }); // read and drop the client's HELLO, so the close does not reset the error frame
      socket.write(Buffer.buffer(ProtocolCodec.frame(0, ProtocolCodec.ERROR, ProtocolCodec.error(
          ErrorCode.TOO_MANY_CONNECTIONS, "this node already serves " + limits.protocolMaxConnections()
              + " binary protocol connections (protocol.max-connections); try another member or later"))))
          .onComplete(ar -> vertx.setTimer(REFUSED_LINGER_MILLIS, t -> socket.close()));
      return;
    }
    Connection[] self = new Connection[1];
    self[0] = new Connection(vertx, socket, node, readers, this::port, limits, () -> {
      open.decrementAndGet();
      connections.remove(self[0]);
    });
    connections.add(self[0]);
  }

  /** Open connections (the count protocol.max-connections bounds). */
  public int connections() {
    return open.get();
  }

  /** Bytes all connections hold now (request payloads in flight and answers not yet written). */
  public long heldBytes() {
    long sum = 0;
    for (Connection c : connections) sum += c.heldBytes();
    return sum;
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
