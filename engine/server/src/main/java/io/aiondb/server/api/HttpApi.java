package io.aiondb.server.api;

import io.aiondb.server.json.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.Node;
import io.aiondb.server.config.ConnectionLimits;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
  /** The request line and the whole header block are refused (414/431) above these sizes. */
  static final int MAX_INITIAL_LINE = 16 * 1024, MAX_HEADER_SIZE = 16 * 1024;
  /** gzip level for answers to clients that accept it: 1 costs the event loop a fraction of the default 6. */
  static final int COMPRESSION_LEVEL = 1;
  /** Answers smaller than this are not compressed (the saving is less than the cost). */
  static final int COMPRESSION_THRESHOLD = 1024;

  private final Vertx vertx;
  private final Node node;
  private final Router router;
  private final ConnectionLimits limits;
  private final AtomicInteger open = new AtomicInteger();
  /** Per open connection: requests in progress and the timer of its request-head deadline (event loop only). */
  private final Map<HttpConnection, Conn> conns = new ConcurrentHashMap<>();
  private HttpServer server;
  private volatile boolean draining;

  private final RequestTimers requestTimers;

  public HttpApi(Vertx vertx, Node node) {
    this.vertx = vertx;
    this.node = node;
    this.router = Router.router(vertx);
    this.limits = node.config().connections();
    this.requestTimers = new RequestTimers(node.metrics(), "aion.http.requests", "HTTP requests by route, method and status");
    Gauge.builder("aion.http.connections", open, AtomicInteger::get).description("Open HTTP connections")
        .register(node.metrics());
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
    router.route().handler(this::trace);
    router.route().handler(this::timeouts);
    router.route().handler(this::authenticate);
    router.route().handler(this::audit);
    router.route().handler(this::access);
    router.route().handler(BodyHandler.create().setBodyLimit(BODY_LIMIT).setHandleFileUploads(false)
        .setDeleteUploadedFilesOnEnd(true));
    new AuthRoutes(this).register(router);
    new AdminRoutes(this).register(router);
    new KvRoutes(this).register(router);
    new ClusterRoutes(this).register(router);
    new WatchRoutes(this).register(router);
    new IndexRoutes(this).register(router);
    new BackupRoutes(this).register(router);
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
    requestTimers.begin();
    ctx.addEndHandler(v -> {
      requestTimers.end();
      String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null
          ? "unmatched" : ctx.currentRoute().getPath();
      var timer = requestTimers.timer("method", ctx.request().method().name(), "route", route,
          "status", Integer.toString(ctx.response().getStatusCode()));
      long took = System.nanoTime() - start;
      if (ctx.get(TRACE_KEY) instanceof io.opentelemetry.context.Context traced) {
        try (var scope = traced.makeCurrent()) { // the bucket's exemplar: this request's trace (trace/Exemplars)
          timer.record(took, TimeUnit.NANOSECONDS);
        }
      } else {
        timer.record(took, TimeUnit.NANOSECONDS);
      }
    });
    ctx.next();
  }

  /** Where {@link #trace} keeps the request's trace context (its server span) for {@link KvRoutes#caller}. */
  static final String TRACE_KEY = "aion.trace";

  /**
   * With tracing on (docs/tracing.md): a SERVER span per request, continuing the caller's W3C {@code traceparent};
   * named by the route once it is known. Not sampled: no span, nothing kept.
   */
  private void trace(RoutingContext ctx) {
    io.aiondb.server.trace.Tracing tracing = node.tracing();
    if (!tracing.enabled()) {
      ctx.next();
      return;
    }
    io.opentelemetry.context.Context parent = tracing.extract(ctx.request()::getHeader);
    String method = ctx.request().method().name();
    io.opentelemetry.api.trace.Span span = tracing.server(method, parent)
        .setAttribute("http.request.method", method)
        .setAttribute("url.path", ctx.normalizedPath())
        .setAttribute("aion.node", node.config().nodeId())
        .startSpan();
    if (!span.isRecording()) {
      ctx.next();
      return;
    }
    ctx.put(TRACE_KEY, parent.with(span));
    ctx.addEndHandler(v -> {
      String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null
          ? "unmatched" : ctx.currentRoute().getPath();
      int status = ctx.response().getStatusCode();
      span.updateName(method + " " + route);
      span.setAttribute("http.route", route);
      span.setAttribute("http.response.status_code", (long) status);
      if (status >= 500) span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR);
      span.end();
    });
    ctx.next();
  }

  // ------------------------------------------------------------------ connection limits

  /** One open connection's state; touched only on its event loop. */
  private static final class Conn {
    int active;
    long headTimer = -1;
  }

  /** Over http.max-connections: closed at once. Else counted, with a deadline for its first request head. */
  private void onConnection(HttpConnection c) {
    if (open.incrementAndGet() > limits.httpMaxConnections()) {
      open.decrementAndGet();
      LOG.debug("refusing HTTP connection from {}: http.max-connections={} reached", c.remoteAddress(),
          limits.httpMaxConnections());
      c.close();
      return;
    }
    Conn state = new Conn();
    conns.put(c, state);
    armHeadDeadline(c, state);
    c.closeHandler(v -> {
      open.decrementAndGet();
      conns.remove(c);
      if (state.headTimer >= 0) vertx.cancelTimer(state.headTimer);
    });
  }

  /**
   * A connection with no request in progress must complete a request head within http.idle-timeout (of opening,
   * or of its last answer), whether it sends nothing or trickles header bytes: else it is closed.
   */
  private void armHeadDeadline(HttpConnection c, Conn state) {
    if (state.headTimer >= 0) vertx.cancelTimer(state.headTimer);
    state.headTimer = vertx.setTimer(limits.httpIdleTimeout().toMillis(), t -> {
      state.headTimer = -1;
      if (state.active == 0) c.close();
    });
  }

  /** Request head complete: the head deadline stops; the body must arrive within http.read-timeout. */
  private void timeouts(RoutingContext ctx) {
    HttpConnection c = ctx.request().connection();
    Conn state = c == null ? null : conns.get(c);
    if (state != null) {
      state.active++;
      if (state.headTimer >= 0) {
        vertx.cancelTimer(state.headTimer);
        state.headTimer = -1;
      }
      ctx.addEndHandler(v -> {
        if (--state.active == 0 && conns.containsKey(c)) armHeadDeadline(c, state);
      });
    }
    if (!ctx.request().isEnded()) {
      long timer = vertx.setTimer(limits.httpReadTimeout().toMillis(), t -> {
        if (ctx.request().isEnded()) return;
        if (ctx.response().ended()) {
          if (c != null) c.close();
          return;
        }
        if (c != null) ctx.addEndHandler(v -> c.close()); // once the 408 is written: the rest of the body is unread
        ctx.response().putHeader("Connection", "close");
        error(ctx, new AionException(ErrorCode.REQUEST_TIMEOUT, "the request body did not arrive within "
            + limits.httpReadTimeout() + " (http.read-timeout)"));
      });
      ctx.addEndHandler(v -> vertx.cancelTimer(timer));
    }
    ctx.next();
  }

  public Future<HttpServer> listen(String host, int port) {
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
        .setCompressionSupported(true).setCompressionLevel(COMPRESSION_LEVEL)
        .setCompressionContentSizeThreshold(COMPRESSION_THRESHOLD)
        .setMaxInitialLineLength(MAX_INITIAL_LINE).setMaxHeaderSize(MAX_HEADER_SIZE)
        // without cleartext HTTP/2 detection a connection is set up (and counted, and given its request-head
        // deadline) as it is accepted, not when its first request head completes; HTTP/2 clients fall back to 1.1
        .setHttp2ClearTextEnabled(false)
        // no byte in either direction for this long closes the connection (a client that stops reading answers)
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, limits.httpIdleTimeout().toMillis()))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    io.aiondb.server.security.ServerTls.apply(options, node.tls(), node.config().tlsClientAuth());
    return vertx.createHttpServer(options)
        .connectionHandler(this::onConnection)
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

  /**
   * Answers with {@code f}'s result on the request's event loop, or with the error it failed with. For the service
   * layer's futures, which are bounded by request.timeout and fail only with {@link AionException}s.
   */
  <T> void answer(RoutingContext ctx, CompletableFuture<T> f, BiConsumer<RoutingContext, T> respond) {
    f.whenComplete((r, e) -> ctx.vertx().runOnContext(v -> {
      if (e == null) {
        try {
          respond.accept(ctx, r);
        } catch (RuntimeException ex) {
          error(ctx, ex);
        }
      } else {
        error(ctx, e);
      }
    }));
  }

  /** Runs tasks on the worker pool (rendering large answers off the event loop). */
  java.util.concurrent.Executor worker() {
    return task -> vertx.executeBlocking(() -> {
      task.run();
      return null;
    }, false);
  }

  /** Waits (without blocking the event loop) for work outside the service layer, bounded by request.timeout. */
  <T> void await(RoutingContext ctx, CompletableFuture<T> f, BiConsumer<RoutingContext, T> respond) {
    Duration timeout = node.config().requestTimeout();
    answer(ctx, f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      return CompletableFuture.failedFuture(cause instanceof TimeoutException
          ? new AionException(ErrorCode.TIMEOUT, "the request did not complete within " + timeout
              + " (request.timeout); a write's outcome is unknown: read the key before retrying a non-idempotent write")
          : cause);
    }), respond);
  }

  /** The request's body as a JSON object: BAD_REQUEST when there is none, INVALID_JSON when it is not an object. */
  static com.fasterxml.jackson.databind.JsonNode objectBody(RoutingContext ctx) {
    var b = ctx.body().buffer();
    if (b == null || b.length() == 0) throw new AionException(ErrorCode.BAD_REQUEST, "a JSON body is required");
    try {
      com.fasterxml.jackson.databind.JsonNode n = Json.parse(b.getBytes());
      if (!n.isObject()) throw new java.io.IOException("not an object");
      return n;
    } catch (java.io.IOException e) {
      throw new AionException(ErrorCode.INVALID_JSON, "the body must be a JSON object: " + e.getMessage().lines().findFirst().orElse(""));
    }
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

  /** An answer already serialized (off the event loop) as JSON. */
  static void jsonText(RoutingContext ctx, int status, String body) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }

  /**
   * A privileged HTTP-only operation (RouteCatalog: cluster membership and leadership, backups, compaction): one audit
   * record when its response ends, success for 2xx, else failure with the error's code and message.
   */
  private void audit(RoutingContext ctx) {
    var log = node().audit();
    String operation = log.enabled() ? RouteCatalog.httpAudited(ctx.request().method().name(), ctx.normalizedPath()) : null;
    if (operation != null) {
      var caller = KvRoutes.caller(ctx);
      String target = ctx.request().uri();
      ctx.addEndHandler(v -> {
        int status = ctx.response().getStatusCode();
        boolean ok = status / 100 == 2;
        log.record(caller, operation, target, ok ? io.aiondb.server.audit.AuditLog.Outcome.success
            : io.aiondb.server.audit.AuditLog.Outcome.failure, ok ? null : ctx.get(ERROR_KEY, "HTTP " + status));
      });
    }
    ctx.next();
  }

  private static final String ERROR_KEY = "aion.error";
  /** The {@link io.aiondb.server.auth.Principal} a request proved (auth.enabled), for {@link KvRoutes#caller}. */
  static final String IDENTITY_KEY = "aion.identity";

  /**
   * auth.enabled: who the request proves to be (a bearer token), or 401 for credentials that do not hold, except on
   * public routes, which look at no credentials: a node that does not know the caller's key yet (a member that joins
   * empty, before the records reach it) still answers its status and probes to the operator that sends one anyway.
   */
  /** The header a client sends its bearer credentials in when a proxy in between takes {@code Authorization}. */
  static final String PROXIED_AUTHORIZATION = "X-Aion-Authorization";

  private void authenticate(RoutingContext ctx) {
    var auth = node.auth();
    if (!auth.enabled()) {
      ctx.next();
      return;
    }
    RouteCatalog.Route route = RouteCatalog.route(ctx.request().method().name(), ctx.normalizedPath());
    if (route != null && "public".equals(route.access().kind())) {
      ctx.next();
      return;
    }
    try {
      String header = ctx.request().getHeader("Authorization");
      // behind the Kubernetes API server's pods/proxy (kubectl aion), Authorization is the API server's and is
      // consumed there: the same bearer credentials then travel in X-Aion-Authorization
      if (header == null) header = ctx.request().getHeader(PROXIED_AUTHORIZATION);
      io.aiondb.server.auth.Principal cert = header == null && ctx.request().isSSL()
          ? io.aiondb.server.service.Caller.certificateIdentity(ctx.request().sslSession()) : null;
      ctx.put(IDENTITY_KEY, cert != null ? cert : auth.authenticate(header)); // a bearer token wins over a certificate
    } catch (AionException e) {
      node.audit().record(KvRoutes.caller(ctx), "auth.token", ctx.request().method().name() + " " + ctx.normalizedPath(),
          io.aiondb.server.audit.AuditLog.Outcome.failure, e.code().name() + ": " + e.getMessage());
      error(ctx, e);
      return;
    }
    ctx.next();
  }

  /**
   * auth.enabled: the route's own requirement from {@link RouteCatalog} (a cluster-level operation, or any
   * authenticated caller); routes to keys, namespaces and indexes are checked by the service layer.
   */
  private void access(RoutingContext ctx) {
    var auth = node.auth();
    RouteCatalog.Route route = auth.enabled() ? RouteCatalog.route(ctx.request().method().name(), ctx.normalizedPath()) : null;
    if (route != null) {
      var caller = KvRoutes.caller(ctx);
      try {
        switch (route.access().kind()) {
          case "public", "service" -> { }
          case "authenticated" -> auth.requireAuthenticated(caller, ctx.normalizedPath());
          default -> auth.require(caller, route.access().operation(), null, null);
        }
      } catch (AionException e) {
        error(ctx, e);
        return;
      }
    }
    ctx.next();
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
      AionException a = io.aiondb.server.service.KvService.error(t); // unwraps; logs what is not an AionException
      code = a.code();
      message = a.getMessage();
    }
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("code", code.name());
    body.put("message", message);
    ctx.put(ERROR_KEY, code.name() + ": " + message);
    if (code == ErrorCode.OVERLOADED) ctx.response().putHeader("Retry-After", "1"); // nothing was written
    if (code == ErrorCode.UNAUTHENTICATED) ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"aion\"");
    if (code == ErrorCode.RATE_LIMITED) ctx.response().putHeader("Retry-After", "60");
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
