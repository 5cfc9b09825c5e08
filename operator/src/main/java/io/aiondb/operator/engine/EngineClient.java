package io.aiondb.operator.engine;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The engine's cluster API over the JDK HTTP client (plain, or HTTPS trusting the cluster's CA): the member list, and
 * the node-terms calls the operator acts with (docs/cluster-api.md "Nodes"). Thread-safe.
 */
public class EngineClient {
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final HttpClient http;
  private final Duration timeout;
  /** For changes (add, promote, drain, decommission): the engine bounds each by its request.timeout (30 s default). */
  private final Duration changeTimeout;

  /** HTTPS clients by the CA they trust (one per TLS cluster; a rotated CA gets a new one). */
  private final java.util.Map<String, HttpClient> byCa = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, HttpClient> eldest) {
          return size() > 256;
        }
      });

  /** Reads time out after {@code timeout}; changes after {@code max(timeout, 40 s)} (see {@link #EngineClient(Duration, Duration)}). */
  public EngineClient(Duration timeout) {
    this(timeout, timeout.compareTo(Duration.ofSeconds(40)) > 0 ? timeout : Duration.ofSeconds(40));
  }

  /**
   * @param changeTimeout how long a change may take: longer than the engine's {@code request.timeout}, which bounds
   *                      a leadership transfer or a membership change on its side (a shorter wait would report a
   *                      change as failed that the engine then completes)
   */
  public EngineClient(Duration timeout, Duration changeTimeout) {
    this.timeout = timeout;
    this.changeTimeout = changeTimeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** {@code GET {base}/v1/cluster/members} over plain HTTP. */
  public ClusterView members(URI base) throws EngineUnavailableException {
    return members(base, EngineAccess.PLAIN);
  }

  /**
   * {@code GET {base}/v1/cluster/members}; with a CA in {@code access}, over HTTPS trusting only that CA (the member's
   * certificate must also name the host in {@code base}).
   */
  public ClusterView members(URI base, EngineAccess access) throws EngineUnavailableException {
    URI uri = URI.create(stripSlash(base.toString()) + "/v1/cluster/members");
    HttpResponse<String> response = send(access, HttpRequest.newBuilder(uri).GET(), "GET " + uri, timeout);
    if (response.statusCode() != 200) {
      throw new EngineUnavailableException(
          "GET " + uri + " answered " + response.statusCode() + errorMessage(response.body()), null);
    }
    try {
      return JSON.readValue(response.body(), ClusterView.class);
    } catch (IOException e) {
      throw new EngineUnavailableException("GET " + uri + " answered 200 with a body that is not a member list: "
          + abbreviate(response.body()), e);
    }
  }

  /**
   * {@code GET {memberBase}/v1/status} of one member: its version and {@code dataState} (docs/cluster-api.md "Losing
   * a member's data"). Asked of members the group does not list or whose pod is not Ready.
   */
  public MemberState status(URI memberBase, EngineAccess access) throws EngineUnavailableException, EngineRefusedException {
    return call(access, "GET", uri(memberBase, "/v1/status"), null, MemberState.class);
  }

  /** The part of a member's {@code /v1/status} the operator reads. */
  @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
  public record MemberState(String version, String dataState, String dataStateReason) {
    /** The member waits to be (re-)added: it started empty and never votes ({@code empty-awaiting-join}), or it
     * lost its data and refuses to start until it is removed ({@code empty-refused-voter}). */
    public boolean awaitingJoin() {
      return "empty-awaiting-join".equals(dataState) || "empty-refused-voter".equals(dataState);
    }
  }

  // ---------------------------------------------------------------- node terms (docs/cluster-api.md "Nodes")

  /** {@code GET {base}/v1/cluster/nodes}: every node, its membership, progress, leaderships and safety. */
  public NodeView.NodeList nodes(URI base, EngineAccess access) throws EngineUnavailableException, EngineRefusedException {
    return call(access, "GET", uri(base, "/v1/cluster/nodes"), null, NodeView.NodeList.class);
  }

  /**
   * {@code GET {base}/v1/cluster/nodes/{id}}; null when the engine says the node is a member of no group (404
   * MEMBER_NOT_FOUND: never added, or decommissioned).
   */
  public NodeView node(URI base, String id, EngineAccess access) throws EngineUnavailableException, EngineRefusedException {
    try {
      return call(access, "GET", uri(base, "/v1/cluster/nodes/" + checkId(id)), null, NodeView.class);
    } catch (EngineRefusedException e) {
      if (e.status() == 404 && "MEMBER_NOT_FOUND".equals(e.code())) return null;
      throw e;
    }
  }

  /** {@code POST {base}/v1/cluster/nodes}: adds the node as a learner (idempotent: {@code changed=false} when it is one). */
  public NodeView.Change addNode(URI base, String id, String raftAddress, String httpAddress, EngineAccess access)
      throws EngineUnavailableException, EngineRefusedException {
    String body = JSON.createObjectNode().put("id", checkId(id)).put("raftAddress", raftAddress)
        .put("httpAddress", httpAddress).toString();
    return call(access, "POST", uri(base, "/v1/cluster/nodes"), body, NodeView.Change.class);
  }

  /** {@code POST …/nodes/{id}/promote}: refused with {@code 409 NOT_CAUGHT_UP} while the learner is behind. */
  public NodeView.Change promote(URI base, String id, EngineAccess access) throws EngineUnavailableException, EngineRefusedException {
    return call(access, "POST", uri(base, "/v1/cluster/nodes/" + checkId(id) + "/promote"), "", NodeView.Change.class);
  }

  /**
   * {@code POST …/nodes/{id}/drain-leadership}: answers once another node leads; {@code 409 UNSAFE} with no target.
   * {@code to} (may be null) is the voter to prefer; the engine takes it when it is reachable and caught up, else its
   * own choice: {@link NodeView.Change#leaders()} says where leadership went.
   */
  public NodeView.Change drainLeadership(URI base, String id, String to, EngineAccess access)
      throws EngineUnavailableException, EngineRefusedException {
    String body = to == null ? "" : JSON.createObjectNode().put("to", checkId(to)).toString();
    return call(access, "POST", uri(base, "/v1/cluster/nodes/" + checkId(id) + "/drain-leadership"), body, NodeView.Change.class);
  }

  /**
   * {@code POST …/nodes/{id}/decommission}: leadership moves off the node, then it leaves every group;
   * {@code 409 UNSAFE} (with the reason) when that would lose a quorum. {@code decommission().done()} once it is gone.
   */
  public NodeView.Change decommission(URI base, String id, EngineAccess access) throws EngineUnavailableException, EngineRefusedException {
    return call(access, "POST", uri(base, "/v1/cluster/nodes/" + checkId(id) + "/decommission"), "", NodeView.Change.class);
  }

  // ---------------------------------------------------------------- backups (docs/backup.md)

  private static final java.util.regex.Pattern BACKUP_ID = java.util.regex.Pattern.compile("[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}");

  /**
   * {@code POST {member}/v1/backups {"id": backupId}}: starts the member's backup, or answers the one it runs or ran
   * with that id, or the one the store holds (idempotent: ask again after losing the answer).
   */
  public BackupView startBackup(URI member, String backupId, String store, EngineAccess access)
      throws EngineUnavailableException, EngineRefusedException {
    if (!BACKUP_ID.matcher(backupId).matches()) throw new IllegalArgumentException("not a backup id: " + backupId);
    return call(access, "POST", uri(member, onStore("/v1/backups", store)), JSON.createObjectNode().put("id", backupId).toString(),
        BackupView.class);
  }

  /** {@code GET {member}/v1/backups/operations/{op}}; null when the member does not know it (it restarted). */
  public BackupView backupOperation(URI member, String operationId, EngineAccess access)
      throws EngineUnavailableException, EngineRefusedException {
    if (!operationId.matches("(op-)?[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}")) {
      throw new IllegalArgumentException("not an operation id: " + operationId);
    }
    try {
      return call(access, "GET", uri(member, "/v1/backups/operations/" + operationId), null, BackupView.class);
    } catch (EngineRefusedException e) {
      if (e.status() == 404 && "NOT_FOUND".equals(e.code())) return null;
      throw e;
    }
  }

  /** {@code DELETE {member}/v1/backups/{id}}; true when it deleted it, false when there was none. */
  public boolean deleteBackup(URI member, String backupId, String store, EngineAccess access)
      throws EngineUnavailableException, EngineRefusedException {
    if (!BACKUP_ID.matcher(backupId).matches()) throw new IllegalArgumentException("not a backup id: " + backupId);
    try {
      call(access, "DELETE", uri(member, onStore("/v1/backups/" + backupId, store)), null, com.fasterxml.jackson.databind.JsonNode.class);
      return true;
    } catch (EngineRefusedException e) {
      if (e.status() == 404 && "BACKUP_NOT_FOUND".equals(e.code())) return false;
      throw e;
    }
  }

  /**
   * {@code POST {member}/v1/backups/{id}/verify {"level": light|deep}}: starts a verification of a stored backup
   * (light: every file present with its size; deep: restored to a scratch directory and checked). Answers the started
   * operation; {@code 404 BACKUP_NOT_FOUND}, {@code 409 BACKUP_BUSY}.
   */
  public BackupView verifyBackup(URI member, String backupId, boolean deep, String store, EngineAccess access)
      throws EngineUnavailableException, EngineRefusedException {
    if (!BACKUP_ID.matcher(backupId).matches()) throw new IllegalArgumentException("not a backup id: " + backupId);
    return call(access, "POST", uri(member, onStore("/v1/backups/" + backupId + "/verify", store)),
        "{\"level\":\"" + (deep ? "deep" : "light") + "\"}", BackupView.class);
  }

  /**
   * {@code POST {member}/v1/backups/prune {"sweepOnly": true}}: expires no backup (the operator keeps retention on its
   * AionBackups) and deletes the store's files no manifest names any more, older than the engine's grace period.
   * Answers the started operation; {@code 409 BACKUP_BUSY} while a backup or prune holds the store's lock.
   */
  public BackupView sweepBackups(URI member, String store, EngineAccess access)
      throws EngineUnavailableException, EngineRefusedException {
    return call(access, "POST", uri(member, onStore("/v1/backups/prune", store)), "{\"sweepOnly\":true}", BackupView.class);
  }

  private static final java.util.regex.Pattern STORE = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** The path on one of the member's named stores ({@code ?store=NAME}), or on its default store (null). */
  private static String onStore(String path, String store) {
    if (store == null) return path;
    if (!STORE.matcher(store).matches()) throw new IllegalArgumentException("not a store name: " + store);
    return path + "?store=" + store;
  }

  private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}");

  private static String checkId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a node id is 1-63 of a-z A-Z 0-9 _ . - starting with a letter or digit, not '" + id + "'");
    }
    return id;
  }

  // ---------------------------------------------------------------- users and roles (docs/security.md)

  /**
   * {@code POST {base}/v1/auth/login}: a token for {@code user} (an hour by default). A wrong password is {@code 401},
   * too many failures {@code 429 RATE_LIMITED}: both {@link EngineRefusedException}. The password is in no message.
   */
  public Token login(URI base, String user, char[] password, EngineAccess access)
      throws EngineUnavailableException, EngineRefusedException {
    String body = JSON.createObjectNode().put("user", user).put("password", new String(password)).toString();
    JsonNode n = call(access, "POST", uri(base, "/v1/auth/login"), body, JsonNode.class);
    String token = n.path("token").asText("");
    if (token.isEmpty()) throw new EngineUnavailableException("POST " + base + "/v1/auth/login answered no token", null);
    java.time.Instant expires;
    try {
      expires = java.time.Instant.parse(n.path("expiresAt").asText(""));
    } catch (java.time.format.DateTimeParseException e) {
      expires = java.time.Instant.now().plusSeconds(300); // an answer without it: use the token briefly
    }
    return new Token(token, expires);
  }

  /** A login's bearer token and when it expires. {@link #toString} never shows the token. */
  public record Token(String token, java.time.Instant expiresAt) {
    @Override
    public String toString() {
      return "Token[expiresAt=" + expiresAt + "]";
    }
  }

  /**
   * One call on the engine's user, service-account and role API ({@code path} under {@code /v1/auth/}, names already
   * checked by the caller); the answer, or null for {@code 404} when {@code nullIfMissing}.
   */
  public JsonNode auth(String method, URI base, String path, JsonNode body, boolean nullIfMissing, EngineAccess access)
      throws EngineUnavailableException, EngineRefusedException {
    if (!path.startsWith("/v1/auth/") || path.contains("..") || path.contains("?")) {
      throw new IllegalArgumentException("not an auth path: " + path);
    }
    try {
      return call(access, method, uri(base, path), body == null ? null : body.toString(), JsonNode.class);
    } catch (EngineRefusedException e) {
      if (nullIfMissing && e.status() == 404) return null;
      throw e;
    }
  }

  private static URI uri(URI base, String path) {
    return URI.create(stripSlash(base.toString()) + path);
  }

  /**
   * One call: 2xx is parsed as {@code type}; 4xx is the engine's refusal ({@link EngineRefusedException} with its
   * code and message); anything else (5xx: no leader, timeout) or no usable answer is {@link EngineUnavailableException}.
   */
  private <T> T call(EngineAccess access, String method, URI uri, String body, Class<T> type)
      throws EngineUnavailableException, EngineRefusedException {
    String what = method + " " + uri;
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> response = send(access, b, what, "GET".equals(method) ? timeout : changeTimeout);
    int status = response.statusCode();
    if (status / 100 == 4) {
      String code = "";
      String message = response.body();
      try {
        JsonNode n = JSON.readTree(response.body());
        if (n != null && n.hasNonNull("message")) {
          code = n.path("code").asText("");
          message = n.get("message").asText();
        }
      } catch (IOException ignored) {
        // not the engine's error model: keep the body
      }
      throw new EngineRefusedException(status, code, what + " was refused (" + status + (code.isEmpty() ? "" : " " + code)
          + "): " + abbreviate(message == null ? "" : message));
    }
    if (status / 100 != 2) {
      throw new EngineUnavailableException(what + " answered " + status + errorMessage(response.body()), null);
    }
    try {
      return JSON.readValue(response.body(), type);
    } catch (IOException e) {
      throw new EngineUnavailableException(what + " answered " + status + " with a body that is not a "
          + type.getSimpleName() + ": " + abbreviate(response.body()), e);
    }
  }

  /**
   * Sends with the client for the access's CA (plain HTTP without one) and its API key as a bearer credential; every
   * transport failure is explained.
   */
  private HttpResponse<String> send(EngineAccess access, HttpRequest.Builder b, String what, Duration timeout)
      throws EngineUnavailableException {
    HttpClient http = access.caPem() == null ? this.http : byCa.computeIfAbsent(access.caPem(), this::httpsClient);
    if (access.apiKey() != null) b.header("Authorization", "Bearer " + access.apiKey());
    HttpRequest request = b.timeout(timeout).header("Accept", "application/json").build();
    URI uri = request.uri();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new EngineUnavailableException(what + " timed out after " + timeout.toSeconds() + "s", e);
    } catch (javax.net.ssl.SSLException e) {
      throw new EngineUnavailableException(what + ": TLS failed (" + rootCause(e).getMessage()
          + "); the members' certificate must chain to the cluster's CA and name " + uri.getHost(), e);
    } catch (ConnectException e) {
      throw new EngineUnavailableException(what + ": connection refused (no member is listening yet?)", e);
    } catch (IOException e) {
      Throwable root = rootCause(e);
      String why = root instanceof UnknownHostException ? "unknown host (is the client Service there?)" : String.valueOf(root);
      throw new EngineUnavailableException(what + ": " + why, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineUnavailableException(what + ": interrupted", e);
    }
  }

  private static String errorMessage(String body) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node != null && node.hasNonNull("message")) {
        return ": " + node.path("code").asText("") + " " + node.get("message").asText();
      }
    } catch (IOException ignored) {
      // not the engine's error model: fall through
    }
    return body == null || body.isBlank() ? "" : ": " + abbreviate(body);
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private HttpClient httpsClient(String caPem) {
    try {
      java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (var cert : java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificates(new java.io.ByteArrayInputStream(caPem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
        trust.setCertificateEntry("ca-" + i++, cert);
      }
      javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).sslContext(ctx).build();
    } catch (java.security.GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("the cluster's CA certificate cannot be used: " + e.getMessage(), e);
    }
  }
}
