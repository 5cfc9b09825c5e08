package io.aiondb.server;

import io.aiondb.server.api.HttpApi;
import io.aiondb.server.config.AionConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running node: storage, engine and the HTTP API. {@link #close} is the graceful shutdown. */
public final class AionServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AionServer.class);

  private final AionConfig config;
  private final Vertx vertx;
  private final Node node;
  private final HttpApi api;
  private final io.aiondb.server.protocol.ProtocolServer protocol;
  private volatile boolean closed;

  private AionServer(AionConfig config, Vertx vertx, Node node, HttpApi api,
      io.aiondb.server.protocol.ProtocolServer protocol) {
    this.config = config;
    this.vertx = vertx;
    this.node = node;
    this.api = api;
    this.protocol = protocol;
  }

  public static AionServer start(AionConfig config) {
    Node node = new Node(config, Clock.systemUTC());
    Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(Math.max(8, Runtime.getRuntime().availableProcessors() * 4)));
    try {
      HttpApi api = new HttpApi(vertx, node);
      api.listen(config.httpHost(), config.httpPort()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      io.aiondb.server.protocol.ProtocolServer protocol = null;
      if (config.protocolPort() >= 0) {
        protocol = new io.aiondb.server.protocol.ProtocolServer(vertx, node);
        try {
          protocol.listen(config.httpHost(), config.protocolPort()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("cannot listen on " + config.httpHost() + ":" + config.protocolPort()
              + " (protocol.port): " + e.getCause().getMessage(), e.getCause());
        }
      }
      AionServer server = new AionServer(config, vertx, node, api, protocol);
      // a new or restarted node needs an election before it serves writes; wait a little so the first request works
      if (!node.raft().awaitLeader(config.electionTimeout().multipliedBy(3).plusSeconds(2))) {
        LOG.warn("no leader yet: waiting for a quorum of cluster.peers to come up (the API answers 503 meanwhile)");
      }
      node.startAuthBootstrap();
      if (config.portFile() != null) {
        var tmp = config.portFile().resolveSibling(config.portFile().getFileName() + ".tmp");
        Files.writeString(tmp, Integer.toString(api.port()));
        Files.move(tmp, config.portFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      LOG.info("node {} serving HTTP on {}:{}{}", config.nodeId(), config.httpHost(), api.port(),
          protocol == null ? "" : " and the binary protocol on port " + protocol.port());
      return server;
    } catch (Exception e) {
      vertx.close();
      node.close();
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("cannot listen on " + config.httpHost() + ":" + config.httpPort() + ": " + cause.getMessage(), cause);
    }
  }

  public int httpPort() {
    return api.port();
  }

  /** The binary protocol's listener (its connection count and held bytes), or null when it is off. */
  public io.aiondb.server.protocol.ProtocolServer protocol() {
    return protocol;
  }

  /** The binary protocol's port, or -1 when it is off. */
  public int protocolPort() {
    return protocol == null ? -1 : protocol.port();
  }

  /** The HTTP API (its router lists the routes). */
  public HttpApi http() {
    return api;
  }

  public Node node() {
    return node;
  }

  public String url() {
    String host = config.httpHost().equals("0.0.0.0") ? "127.0.0.1" : config.httpHost();
    return config.httpScheme() + "://" + host + ":" + httpPort();
  }

  /** Stops accepting requests, lets in-flight ones finish (up to shutdown.grace), drains writes, closes RocksDB. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    LOG.info("shutting down: draining requests (grace {})", config.shutdownGrace());
    node.watches().close(); // long-lived streams end now (clients resume elsewhere) instead of holding the drain
    api.shutdown(config.shutdownGrace());
    if (protocol != null) protocol.close();
    node.close();
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    if (config.portFile() != null) {
      try {
        Files.deleteIfExists(config.portFile());
      } catch (IOException ignored) {
        // best effort
      }
    }
    LOG.info("shut down cleanly");
  }
}
