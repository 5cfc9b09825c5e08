package io.aiondb.operator.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the engine's cluster API at {@code /{namespace}/{name}}:
 * <ul>
 *   <li>{@code GET /v1/cluster/members} answers what a test put in {@link #ANSWERS}, else what its {@link Group}
 *       says, else 503 like an engine without a leader;</li>
 *   <li>with a {@link Group} (put in {@link #GROUPS}) the node API works on it as the engine's does in node terms
 *       (docs/cluster-api.md "Nodes"): list, add as learner, promote, drain leadership, decommission; every change is
 *       appended to {@link #CALLS} as e.g. {@code "promote kilo-3"};</li>
 *   <li>{@code /{namespace}/{name}/pods/{pod}/v1/status} answers a member's own status: its {@code dataState} from
 *       {@link Group#dataState}.</li>
 *   <li>{@code /{namespace}/{name}/v1/auth/...}: the user API of a cluster put in {@link #AUTH} ({@link FakeAuth});</li>
 *   <li>the backup API on a member (docs/backup.md), in the engine's terms: {@code POST /v1/backups {"id"}} starts a
 *       backup on that member (appended to {@link #CALLS} as {@code "backup kilo-1 <id>"}) or answers the one it
 *       runs or ran with that id, or one whose manifest the store holds; {@code 409 BACKUP_BUSY} from a member in
 *       {@link Group#busy}; {@code GET /v1/backups/operations/{id}} answers only on the member that runs it (404
 *       after {@link Group#restart}); {@code DELETE /v1/backups/{id}} deletes a manifest; {@code POST /v1/backups/{id}/verify} starts a
 *       verification ({@code "verify kilo-1 <id> light"}) that a test ends with {@link Group#finishVerify}; {@code POST /v1/backups/prune} is recorded as
 *       {@code "sweep kilo-1 true"} (true: sweepOnly). A test ends a backup with
 *       {@link Group#finishBackup} or {@link Group#failBackup}.</li>
 * </ul>
 */
public class FakeEngine implements QuarkusTestResourceLifecycleManager {
  public static final Map<String, String> ANSWERS = new ConcurrentHashMap<>();
  public static final Map<String, Group> GROUPS = new ConcurrentHashMap<>();
  /** Each cluster's user API ({@code namespace/name}): {@code /v1/auth/...} answers only for clusters here. */
  public static final Map<String, FakeAuth> AUTH = new ConcurrentHashMap<>();
  public static final List<String> CALLS = Collections.synchronizedList(new ArrayList<>());
  /** The Authorization header of the last call to each path ("none" without one). */
  public static final Map<String, String> AUTHORIZATION = new ConcurrentHashMap<>();
  /** Backup calls that named a store: "METHOD pod /v1/backups...?store=NAME". */
  public static final java.util.Queue<String> STORE_CALLS = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern POD_STATUS = Pattern.compile("^/([^/]+)/([^/]+)/pods/([^/]+)/v1/status$");
  private static final Pattern BACKUP_CALL = Pattern.compile("^/([^/]+)/([^/]+)/pods/([^/]+)/v1/backups(?:/(operations/)?([^/]+)(/verify)?)?$");
  private static final Pattern AUTH_CALL = Pattern.compile("^/([^/]+)/([^/]+)(/v1/auth/.*)$");
  private static final Pattern NODE_CALL = Pattern.compile("^/([^/]+)/([^/]+)/v1/cluster/nodes(?:/([^/]+)(?:/([a-z-]+))?)?$");
  private HttpServer server;

  /** One Raft group in node terms: each node's membership ({@code Voter}, {@code Learner}) and the leader. */
  public static final class Group {
    public final Map<String, String> membership = new LinkedHashMap<>();
    /** A member's own {@code dataState} by pod name (default {@code present}). */
    public final Map<String, String> dataState = new ConcurrentHashMap<>();
    public volatile String leader;
    public volatile String version = "0.1.0";
    /** Backup operations by id (the backup's id: the operator chooses it), each on one member. */
    public final Map<String, ObjectNode> backups = new ConcurrentHashMap<>();
    /** The member each backup operation runs on. */
    public final Map<String, String> backupMember = new ConcurrentHashMap<>();
    /** Backup ids whose manifest the store holds, with their result. */
    public final Map<String, ObjectNode> manifests = new ConcurrentHashMap<>();
    /** Members that answer 409 BACKUP_BUSY (running something else). */
    public final java.util.Set<String> busy = ConcurrentHashMap.newKeySet();

    /** The backup's upload completes: its manifest is in the store, its operation succeeded. */
    public synchronized void finishBackup(String id, long revision, long bytes) {
      ObjectNode op = backups.get(id);
      ObjectNode result = JSON.createObjectNode().put("backup", id).put("revision", revision).put("keyCount", 10)
          .put("files", 3).put("bytes", bytes).put("filesReused", 1).put("bytesReused", bytes / 2).put("encrypted", false);
      manifests.put(id, result);
      if (op != null) {
        op.put("state", "succeeded").put("finishedAt", java.time.Instant.now().toString()).set("result", result);
        progress(op, bytes, bytes);
      }
    }

    public synchronized void failBackup(String id, String error) {
      backups.get(id).put("state", "failed").put("error", error).put("finishedAt", java.time.Instant.now().toString());
    }

    public synchronized void progressBackup(String id, long done, long total) {
      progress(backups.get(id), done, total);
    }

    /** The member restarted: it forgets its operations (they are kept in memory), the store keeps its manifests. */
    public synchronized void restart(String pod) {
      backupMember.entrySet().removeIf(e -> {
        if (!e.getValue().equals(pod)) return false;
        backups.remove(e.getKey());
        return true;
      });
    }

    private static void progress(ObjectNode op, long done, long total) {
      op.putObject("progress").put("bytesDone", done).put("bytesTotal", total).put("filesDone", 1).put("filesTotal", 3)
          .put("filesReused", 1).put("bytesReused", done / 2).put("bytesPerSecond", 1000);
    }

    /** {@code [status, body]} of a backup call on {@code pod}. */
    synchronized Object[] backupCall(String pod, String method, boolean operation, String id, byte[] body) throws IOException {
      if ("POST".equals(method) && "prune".equals(id) && !operation) {
        if (busy.contains(pod)) {
          return new Object[] {409, "{\"code\":\"BACKUP_BUSY\",\"message\":\"a backup holds the store's lock\"}"};
        }
        CALLS.add("sweep " + pod + " " + JSON.readTree(body).path("sweepOnly").asBoolean(false));
        return new Object[] {202, JSON.createObjectNode().put("id", "op-20261206T000000Z-0000000a").put("kind", "PRUNE")
            .put("state", "running").put("startedAt", java.time.Instant.now().toString()).toString()};
      }
      if ("POST".equals(method) && id == null) {
        String wanted = JSON.readTree(body).path("id").asText();
        ObjectNode op = backups.get(wanted);
        if (op != null && pod.equals(backupMember.get(wanted))) return new Object[] {200, op.toString()};
        if (manifests.containsKey(wanted)) {
          ObjectNode done = operation(wanted).put("state", "succeeded").put("finishedAt", java.time.Instant.now().toString());
          done.set("result", manifests.get(wanted));
          return new Object[] {200, done.toString()};
        }
        if (busy.contains(pod)) {
          return new Object[] {409, "{\"code\":\"BACKUP_BUSY\",\"message\":\"backup operation op-x (PRUNE) is running on this node\"}"};
        }
        CALLS.add("backup " + pod + " " + wanted);
        ObjectNode started = operation(wanted);
        progress(started, 0, 1000);
        backups.put(wanted, started);
        backupMember.put(wanted, pod);
        return new Object[] {202, started.toString()};
      }
      if ("GET".equals(method) && operation) {
        ObjectNode op = backups.get(id);
        return op != null && pod.equals(backupMember.get(id)) ? new Object[] {200, op.toString()}
            : new Object[] {404, "{\"code\":\"NOT_FOUND\",\"message\":\"no backup operation " + id + " on this node\"}"};
      }
      if ("DELETE".equals(method) && !operation && id != null) {
        CALLS.add("delete-backup " + pod + " " + id);
        return manifests.remove(id) != null ? new Object[] {200, "{\"deleted\":\"" + id + "\"}"}
            : new Object[] {404, "{\"code\":\"BACKUP_NOT_FOUND\",\"message\":\"no backup " + id + "\"}"};
      }
      return new Object[] {404, "{\"code\":\"NOT_FOUND\",\"message\":\"" + method + " not faked\"}"};
    }

    private int verifications;

    /** {@code POST /v1/backups/{id}/verify}: a verification operation on {@code pod}, recorded as "verify pod id level". */
    synchronized Object[] verifyCall(String pod, String id, byte[] body) throws IOException {
      if (!manifests.containsKey(id)) {
        return new Object[] {404, "{\"code\":\"BACKUP_NOT_FOUND\",\"message\":\"no backup " + id + "\"}"};
      }
      String level = JSON.readTree(body).path("level").asText("light");
      CALLS.add("verify " + pod + " " + id + " " + level);
      String op = String.format("op-20261206T000000Z-%08x", ++verifications);
      ObjectNode started = JSON.createObjectNode().put("id", op).put("kind", "VERIFY").put("backup", id)
          .put("state", "running").put("startedAt", java.time.Instant.now().toString());
      backups.put(op, started);
      backupMember.put(op, pod);
      return new Object[] {202, started.toString()};
    }

    /** A verification ends: passed (error null) or failed with {@code error}. */
    public synchronized void finishVerify(String operation, String error) {
      ObjectNode op = backups.get(operation);
      op.put("state", error == null ? "succeeded" : "failed").put("finishedAt", java.time.Instant.now().toString());
      if (error != null) op.put("error", error);
    }

    private static ObjectNode operation(String id) {
      return JSON.createObjectNode().put("id", id).put("kind", "CREATE").put("backup", id).put("state", "running")
          .put("startedAt", java.time.Instant.now().toString());
    }

    public static Group of(String leader, String... voters) {
      Group g = new Group();
      for (String v : voters) g.membership.put(v, "Voter");
      g.leader = leader;
      return g;
    }

    synchronized List<String> voters() {
      return membership.entrySet().stream().filter(e -> e.getValue().equals("Voter")).map(Map.Entry::getKey).toList();
    }

    synchronized ObjectNode node(String id) {
      ObjectNode n = JSON.createObjectNode().put("id", id).put("membership", membership.get(id)).put("reachable", true)
          .put("version", version).put("caughtUp", true).put("lag", 0).put("leads", id.equals(leader) ? 1 : 0)
          .put("safeToRestart", true).put("safeToRemove", voters().size() > 1 || !"Voter".equals(membership.get(id)));
      n.putNull("reason");
      return n;
    }

    synchronized String nodes() {
      ObjectNode root = JSON.createObjectNode();
      root.putArray("groups").addObject().put("groupId", "g").put("leader", leader).put("term", 2);
      ArrayNode nodes = root.putArray("nodes");
      membership.keySet().forEach(id -> nodes.add(node(id)));
      return root.toString();
    }

    synchronized String members() {
      ObjectNode root = JSON.createObjectNode().put("groupId", "g").put("leader", leader).put("term", 2);
      ArrayNode ms = root.putArray("members");
      membership.forEach((id, m) -> ms.addObject().put("id", id).put("role", id.equals(leader) ? "LEADER"
          : m.equals("Voter") ? "FOLLOWER" : "LISTENER").put("voting", m.equals("Voter")).put("lag", 0)
          .put("caughtUp", true).put("version", version));
      return root.toString();
    }

    /** {@code [status, body]} of a change. */
    synchronized Object[] change(String id, String verb, String to) {
      CALLS.add(verb + " " + id);
      switch (verb) {
        case "add" -> {
          boolean changed = !membership.containsKey(id);
          membership.putIfAbsent(id, "Learner");
          dataState.put(id, "joined");
          return new Object[] {200, "{\"changed\":" + changed + "}"};
        }
        case "promote" -> {
          if (!membership.containsKey(id)) return new Object[] {404, "{\"code\":\"MEMBER_NOT_FOUND\",\"message\":\"no " + id + "\"}"};
          membership.put(id, "Voter");
          return new Object[] {200, "{\"changed\":true}"};
        }
        case "drain-leadership" -> {
          boolean led = id.equals(leader);
          if (led) {
            // like the engine: the preferred voter when it is one, else its own choice (here: the last other voter,
            // so that a test sees whether the operator's preference was sent)
            leader = voters().contains(to) && !to.equals(id) ? to
                : voters().stream().filter(v -> !v.equals(id)).reduce((a, b) -> b).orElse(id);
          }
          return new Object[] {200, "{\"changed\":" + led + ",\"node\":{\"id\":\"" + id + "\",\"groups\":[{\"groupId\":"
              + "\"g\",\"leader\":\"" + leader + "\"}]}}"};
        }
        case "decommission" -> {
          if (id.equals(leader)) leader = voters().stream().filter(v -> !v.equals(id)).findFirst().orElse(null);
          membership.remove(id);
          if ("empty-refused-voter".equals(dataState.get(id))) dataState.put(id, "empty-awaiting-join");
          return new Object[] {200, "{\"changed\":true,\"decommission\":{\"state\":\"Done\",\"groupsLeft\":0}}"};
        }
        default -> {
          return new Object[] {404, "{\"code\":\"NOT_FOUND\",\"message\":\"" + verb + "\"}"};
        }
      }
    }
  }

  @Override
  public Map<String, String> start() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      try {
        handle(exchange);
      } catch (RuntimeException e) {
        send(exchange, 500, "{\"code\":\"INTERNAL\",\"message\":\"" + e + "\"}");
      }
    });
    server.start();
    return Map.of("aion.operator.engine-url-template",
        "http://127.0.0.1:" + server.getAddress().getPort() + "/{namespace}/{name}",
        "aion.operator.engine-member-url-template",
        "http://127.0.0.1:" + server.getAddress().getPort() + "/{namespace}/{name}/pods/{pod}");
  }

  private static void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    AUTHORIZATION.put(path, authorization == null ? "none" : authorization);
    Matcher auth = AUTH_CALL.matcher(path);
    if (auth.matches()) {
      FakeAuth a = AUTH.get(auth.group(1) + "/" + auth.group(2));
      if (a == null) {
        send(exchange, 503, "{\"code\":\"UNAVAILABLE\",\"message\":\"fake engine has no user API for this cluster\"}");
        return;
      }
      Object[] answer = a.call(exchange.getRequestMethod(), auth.group(3), authorization,
          exchange.getRequestBody().readAllBytes());
      send(exchange, (int) answer[0], (String) answer[1]);
      return;
    }
    Matcher pod = POD_STATUS.matcher(path);
    if (pod.matches()) {
      Group g = GROUPS.get(pod.group(1) + "/" + pod.group(2));
      if (g == null) {
        send(exchange, 503, "{\"code\":\"UNAVAILABLE\",\"message\":\"no such pod\"}");
        return;
      }
      String state = g.dataState.getOrDefault(pod.group(3), "present");
      send(exchange, 200, "{\"version\":\"" + g.version + "\",\"dataState\":\"" + state + "\"}");
      return;
    }
    Matcher backup = BACKUP_CALL.matcher(path);
    if (backup.matches()) {
      Group g = GROUPS.get(backup.group(1) + "/" + backup.group(2));
      if (g == null) {
        send(exchange, 503, "{\"code\":\"UNAVAILABLE\",\"message\":\"no such pod\"}");
        return;
      }
      String query = exchange.getRequestURI().getQuery();
      if (query != null) {
        STORE_CALLS.add(exchange.getRequestMethod() + " " + backup.group(3) + " "
            + path.substring(path.indexOf("/v1/backups")) + "?" + query);
      }
      Object[] answer = backup.group(6) != null
          ? g.verifyCall(backup.group(3), backup.group(5), exchange.getRequestBody().readAllBytes())
          : g.backupCall(backup.group(3), exchange.getRequestMethod(), backup.group(4) != null, backup.group(5),
              exchange.getRequestBody().readAllBytes());
      send(exchange, (int) answer[0], (String) answer[1]);
      return;
    }
    Matcher node = NODE_CALL.matcher(path);
    if (node.matches()) {
      Group g = GROUPS.get(node.group(1) + "/" + node.group(2));
      if (g == null) {
        send(exchange, 503, "{\"code\":\"UNAVAILABLE\",\"message\":\"fake engine has no group\"}");
        return;
      }
      if ("GET".equals(exchange.getRequestMethod())) {
        send(exchange, 200, g.nodes());
        return;
      }
      String id = node.group(3);
      String verb = node.group(4);
      byte[] sent = exchange.getRequestBody().readAllBytes();
      String to = null;
      if (id == null) {
        id = JSON.readTree(sent).path("id").asText();
        verb = "add";
      } else if (sent.length > 0) {
        to = JSON.readTree(sent).path("to").asText(null);
      }
      Object[] answer = g.change(id, verb, to);
      send(exchange, (int) answer[0], (String) answer[1]);
      return;
    }
    String key = path.replaceFirst("/v1/cluster/members$", "").replaceFirst("^/", "");
    String answer = ANSWERS.get(key);
    if (answer == null && GROUPS.containsKey(key)) answer = GROUPS.get(key).members();
    if (answer == null) {
      send(exchange, 503, "{\"code\":\"UNAVAILABLE\",\"message\":\"fake engine has no answer for " + key + "\"}");
    } else {
      send(exchange, 200, answer);
    }
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }
}
