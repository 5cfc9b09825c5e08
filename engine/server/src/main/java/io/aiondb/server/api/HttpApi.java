package io.aiondb.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.Node;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/JSON API (Vert.x). Routing, the error model and request plumbing live here; the handlers are in
 * {@link KvRoutes} and {@link AdminRoutes}. Every error is {@code {"code": "...", "message": "..."}} with the
 * {@link ErrorCode}'s status. RocksDB reads run on worker threads, never on the event loop.
 */
public final class HttpApi {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  /** Request bodies above this are refused before they are buffered: the largest value plus room for JSON. */
  static final long BODY_LIMIT = 4L * 1024 * 1024 + 64 * 1024;

  private final Vertx vertx;
  private final Node node;
  private final Router router;
  private HttpServer server;
  private volatile boolean draining;

  public HttpApi(Vertx vertx, Node node) {
    this.vertx = vertx;
    this.node = node;
    this.router = Router.router(vertx);
    build();
  }

  public Router router() {
    return router;
  }

  Node node() {
    return node;
  }

  private void build() {
    router.route().handler(this::metrics);
    router.route().handler(BodyHandler.create().setBodyLimit(BODY_LIMIT).setHandleFileUploads(false)
        .setDeleteUploadedFilesOnEnd(true));
    new AdminRoutes(this).register(router);
    new KvRoutes(this).register(router);
    new ClusterRoutes(this).register(router);
    new WatchRoutes(this).register(router);
    new IndexRoutes(this).register(router);
    router.errorHandler(404, ctx -> error(ctx, new AionException(ErrorCode.NOT_FOUND,
        "no route for " + ctx.request().method() + " " + ctx.request().path() + "; see /v1/openapi.json")));
    router.errorHandler(405, ctx -> error(ctx, new AionException(ErrorCode.METHOD_NOT_ALLOWED,
        "method " + ctx.request().method() + " is not allowed on " + ctx.request().path())));
    router.errorHandler(413, ctx -> error(ctx, new AionException(ErrorCode.VALUE_TOO_LARGE,
        "request body is larger than " + BODY_LIMIT + " bytes; values may be at most 4 MiB")));
    router.errorHandler(400, ctx -> error(ctx, ctx.failure() instanceof AionException a ? a
        : new AionException(ErrorCode.BAD_REQUEST, "malformed request: check the URL's percent-encoding"
            + " (every % is followed by two hex digits) and the headers")));
    router.errorHandler(500, ctx -> error(ctx, ctx.failure()));
  }

  private void metrics(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(v -> {
      String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null
          ? "unmatched" : ctx.currentRoute().getPath();
      Timer.builder("aion.http.requests")
          .description("HTTP requests by route, method and status")
          .tag("method", ctx.request().method().name())
          .tag("route", route)
          .tag("status", Integer.toString(ctx.response().getStatusCode()))
          .register(node.metrics())
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    });
    ctx.next();
  }

  public Future<HttpServer> listen(String host, int port) {
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
        .setCompressionSupported(true).setMaxInitialLineLength(16 * 1024);
    io.aiondb.server.security.ServerTls.apply(options, node.tls(), node.config().tlsClientAuth());
    return vertx.createHttpServer(options)
        .requestHandler(router)
        .listen()
        .onSuccess(s -> server = s);
  }

  public int port() {
    return server.actualPort();
  }

  public boolean draining() {
    return draining;
  }

  /** Readiness turns false at once; the listener closes; in-flight requests get up to {@code grace} to finish. */
  public void shutdown(Duration grace) {
    draining = true;
    if (server == null) return;
    try {
      server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS).toCompletionStage().toCompletableFuture()
          .get(grace.toMillis() + 5000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("HTTP shutdown did not complete cleanly: {}", e.toString());
    }
  }

  // ------------------------------------------------------------------ plumbing for handlers

  /** Runs blocking storage work on a worker thread and answers with its result, or the error it threw. */
  <T> void blocking(RoutingContext ctx, Callable<T> work, BiConsumer<RoutingContext, T> respond) {
    vertx.<T>executeBlocking(work, false).onComplete(ar -> {
      if (ar.succeeded()) {
        try {
          respond.accept(ctx, ar.result());
        } catch (RuntimeException e) {
          error(ctx, e);
        }
      } else {
        error(ctx, ar.cause());
      }
    });
  }

  /** Waits (without blocking the event loop) for a proposed write, bounded by request.timeout. */
  <T> void await(RoutingContext ctx, CompletableFuture<T> f, BiConsumer<RoutingContext, T> respond) {
    Duration timeout = node.config().requestTimeout();
    f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> ctx.vertx().runOnContext(v -> {
      if (e == null) {
        try {
          respond.accept(ctx, r);
        } catch (RuntimeException ex) {
          error(ctx, ex);
        }
      } else {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof TimeoutException) {
          cause = new AionException(ErrorCode.TIMEOUT, "the request did not complete within " + timeout
              + " (request.timeout); a write's outcome is unknown: read the key before retrying a non-idempotent write");
        }
        error(ctx, cause);
      }
    }));
  }

  static void json(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended()) return;
    try {
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
          .end(Json.MAPPER.writeValueAsString(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void error(RoutingContext ctx, Throwable t) {
    if (ctx.response().ended()) return;
    ErrorCode code;
    String message;
    if (t instanceof AionException a) {
      code = a.code();
      message = a.getMessage();
    } else if (t instanceof io.vertx.ext.web.handler.HttpException h && h.getStatusCode() == 413) {
      code = ErrorCode.VALUE_TOO_LARGE;
      message = "request body is larger than " + BODY_LIMIT + " bytes; values may be at most 4 MiB";
    } else {
      code = ErrorCode.INTERNAL;
      message = "internal error; the server log has details";
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), t);
    }
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("code", code.name());
    body.put("message", message);
    if (code == ErrorCode.OVERLOADED) ctx.response().putHeader("Retry-After", "1"); // nothing was written
    ctx.response().setStatusCode(code.httpStatus()).putHeader("Content-Type", "application/json").end(body.toString());
  }

  static String resource(String name) {
    try (InputStream in = HttpApi.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
