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
 * </ul>
 */
public class FakeEngine implements QuarkusTestResourceLifecycleManager {
  public static final Map<String, String> ANSWERS = new ConcurrentHashMap<>();
  public static final Map<String, Group> GROUPS = new ConcurrentHashMap<>();
  public static final List<String> CALLS = Collections.synchronizedList(new ArrayList<>());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern POD_STATUS = Pattern.compile("^/([^/]+)/([^/]+)/pods/([^/]+)/v1/status$");
  private static final Pattern NODE_CALL = Pattern.compile("^/([^/]+)/([^/]+)/v1/cluster/nodes(?:/([^/]+)(?:/([a-z-]+))?)?$");
  private HttpServer server;

  /** One Raft group in node terms: each node's membership ({@code Voter}, {@code Learner}) and the leader. */
  public static final class Group {
    public final Map<String, String> membership = new LinkedHashMap<>();
    /** A member's own {@code dataState} by pod name (default {@code present}). */
    public final Map<String, String> dataState = new ConcurrentHashMap<>();
    public volatile String leader;
    public volatile String version = "0.1.0";

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
