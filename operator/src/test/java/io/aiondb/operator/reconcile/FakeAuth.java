package io.aiondb.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for one cluster's user API (docs/security.md "Authentication and access control"), in the engine's
 * terms: {@code POST /v1/auth/login} for root with {@link #rootPassword} (401 otherwise); every other call needs a
 * token it issued (401); users, service accounts with their keys, and custom roles; a role that does not exist is
 * {@code 400 "no role '…'"} as the engine answers. Every change is appended to {@link #calls} as e.g.
 * {@code "PUT /v1/auth/users/alice"}.
 */
public final class FakeAuth {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> BUILT_IN = Set.of("root", "admin", "readwrite", "readonly", "aion-operator");
  private static final Pattern PATH = Pattern.compile(
      "^/v1/auth/(users|services|roles)/([^/]+)(?:/(keys|revoke-tokens)(?:/([^/]+))?)?$");

  public volatile String rootPassword;
  public final Map<String, String> passwords = Collections.synchronizedMap(new LinkedHashMap<>());
  public final Map<String, List<String>> userRoles = Collections.synchronizedMap(new LinkedHashMap<>());
  public final Map<String, List<String>> serviceRoles = Collections.synchronizedMap(new LinkedHashMap<>());
  /** Service account → key id → the whole key. */
  public final Map<String, Map<String, String>> keys = Collections.synchronizedMap(new LinkedHashMap<>());
  public final Map<String, JsonNode> roles = Collections.synchronizedMap(new LinkedHashMap<>());
  public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  public volatile int logins;
  /** GET calls answered (a re-check reads before it changes anything). */
  public volatile int reads;
  private final Set<String> tokens = Collections.synchronizedSet(new java.util.HashSet<>());
  private int next;

  public FakeAuth(String rootPassword) {
    this.rootPassword = rootPassword;
  }

  /** Revokes every token (as a restart with a new signing key would): the next call is 401. */
  public void revokeTokens() {
    tokens.clear();
  }

  /** A key made outside the operator (e.g. through the API by an administrator). */
  public synchronized String addKey(String service) {
    String id = String.format("%012d", ++next).replace('0', 'a');
    keys.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(id, "aion_" + id + "_" + "x".repeat(43));
    return id;
  }

  /** {@code [status, body]} of one call. */
  synchronized Object[] call(String method, String path, String authorization, byte[] body) throws java.io.IOException {
    if ("POST".equals(method) && "/v1/auth/login".equals(path)) {
      JsonNode b = JSON.readTree(body);
      logins++;
      if (!"root".equals(b.path("user").asText()) || rootPassword == null
          || !rootPassword.equals(b.path("password").asText())) {
        return error(401, "UNAUTHENTICATED", "wrong user name or password");
      }
      String token = "tok-" + (++next);
      tokens.add(token);
      return new Object[] {200, JSON.createObjectNode().put("token", token)
          .put("expiresAt", java.time.Instant.now().plusSeconds(3600).toString()).toString()};
    }
    if (authorization == null || !authorization.startsWith("Bearer ") || !tokens.contains(authorization.substring(7))) {
      return error(401, "UNAUTHENTICATED", "a valid token is required");
    }
    Matcher m = PATH.matcher(path);
    if (!m.matches()) return error(404, "NOT_FOUND", path + " not faked");
    String kind = m.group(1);
    String name = m.group(2);
    String sub = m.group(3);
    JsonNode b = body == null || body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
    if (!"GET".equals(method)) calls.add(method + " " + path);
    else reads++;
    switch (kind) {
      case "users" -> {
        switch (method) {
          case "GET" -> {
            return userRoles.containsKey(name) ? ok(account(name, userRoles.get(name), null)) : error(404, "NOT_FOUND", "no user '" + name + "'");
          }
          case "PUT" -> {
            List<String> r = strings(b.path("roles"));
            String missing = missingRole(r);
            if (missing != null) return error(400, "BAD_REQUEST", "no role '" + missing + "'");
            if (!userRoles.containsKey(name) && !b.hasNonNull("password")) {
              return error(400, "BAD_REQUEST", "a new user needs a password");
            }
            if (b.hasNonNull("password")) passwords.put(name, b.get("password").asText());
            userRoles.put(name, r);
            return ok(account(name, r, null));
          }
          case "DELETE" -> {
            passwords.remove(name);
            return ok(JSON.createObjectNode().put("deleted", userRoles.remove(name) != null));
          }
          default -> { }
        }
      }
      case "services" -> {
        if ("keys".equals(sub)) {
          if (!serviceRoles.containsKey(name)) return error(404, "NOT_FOUND", "no service account '" + name + "'");
          if ("POST".equals(method)) {
            String id = addKey(name);
            return new Object[] {201, JSON.createObjectNode().put("keyId", id).put("key", keys.get(name).get(id)).toString()};
          }
          if ("DELETE".equals(method)) {
            var held = keys.get(name);
            return ok(JSON.createObjectNode().put("deleted", held != null && held.remove(m.group(4)) != null));
          }
        }
        switch (method) {
          case "GET" -> {
            return serviceRoles.containsKey(name) ? ok(account(name, serviceRoles.get(name), keys.get(name)))
                : error(404, "NOT_FOUND", "no service account '" + name + "'");
          }
          case "PUT" -> {
            List<String> r = strings(b.path("roles"));
            String missing = missingRole(r);
            if (missing != null) return error(400, "BAD_REQUEST", "no role '" + missing + "'");
            serviceRoles.put(name, r);
            keys.computeIfAbsent(name, s -> new LinkedHashMap<>());
            return ok(account(name, r, keys.get(name)));
          }
          case "DELETE" -> {
            keys.remove(name);
            return ok(JSON.createObjectNode().put("deleted", serviceRoles.remove(name) != null));
          }
          default -> { }
        }
      }
      case "roles" -> {
        switch (method) {
          case "GET" -> {
            JsonNode r = roles.get(name);
            return r == null ? error(404, "NOT_FOUND", "no role '" + name + "'")
                : ok(JSON.createObjectNode().put("name", name).put("builtIn", false).set("rules", r));
          }
          case "PUT" -> {
            // as the engine: keyPrefixes always present in its answers
            ArrayNode rules = (ArrayNode) b.path("rules").deepCopy();
            rules.forEach(r -> { if (!r.has("keyPrefixes")) ((ObjectNode) r).putArray("keyPrefixes"); });
            roles.put(name, rules);
            return ok(JSON.createObjectNode().put("name", name).set("rules", rules));
          }
          case "DELETE" -> {
            return ok(JSON.createObjectNode().put("deleted", roles.remove(name) != null));
          }
          default -> { }
        }
      }
      default -> { }
    }
    return error(404, "NOT_FOUND", method + " " + path + " not faked");
  }

  private String missingRole(List<String> r) {
    return r.stream().filter(x -> !BUILT_IN.contains(x) && !roles.containsKey(x)).findFirst().orElse(null);
  }

  private static ObjectNode account(String name, List<String> roles, Map<String, String> keys) {
    ObjectNode n = JSON.createObjectNode().put("name", name);
    ArrayNode r = n.putArray("roles");
    roles.forEach(r::add);
    if (keys != null) {
      ArrayNode k = n.putArray("keys");
      keys.keySet().forEach(id -> k.addObject().put("keyId", id).put("created", "2026-12-07T00:00:00Z"));
    }
    return n;
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(x -> out.add(x.asText()));
    return out;
  }

  private static Object[] ok(JsonNode n) {
    return new Object[] {200, n.toString()};
  }

  private static Object[] error(int status, String code, String message) {
    return new Object[] {status, JSON.createObjectNode().put("code", code).put("message", message).toString()};
  }
}
