package io.aiondb.server.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated auth records (users, service accounts, groups, custom roles, token signing keys) and the immutable {@link Snapshot} compiled
 * from them. Records are JSON under keys {@code user/<name>}, {@code service/<name>}, {@code group/<name>},
 * {@code role/<name>} and {@code signing-key/<kid>} in the
 * state machine ({@code Command.AuthWrite}); every member compiles the same snapshot from the same records.
 *
 * <p>A record that does not parse is skipped with a warning, never fatal: the writer (the service layer) validated it,
 * so only a bug or a downgrade could produce one, and a member must keep serving. Skipping can only take grants away.
 */
public final class AuthRecords {
  private static final Logger LOG = LoggerFactory.getLogger(AuthRecords.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  public static final String USER = "user/";
  public static final String ROLE = "role/";
  public static final String SIGNING_KEY = "signing-key/";
  public static final String SERVICE = "service/";
  public static final String GROUP = "group/";

  private AuthRecords() {}

  /** A user: its Argon2id password hash (PHC string), role names and token epoch (bumped to revoke its tokens). */
  public record User(String name, String passwordHash, List<String> roles, long epoch) {
    public User {
      Principal.validateName(name);
      roles = List.copyOf(roles);
    }

    public Principal principal() {
      return Principal.user(name, Principal.Method.PASSWORD_TOKEN);
    }
  }

  /**
   * A service account: role names and its API keys (id, SHA-256 of the secret, creation time); several keys at once
   * so that a key is rotated by adding the new one, switching, then removing the old one.
   */
  public record Service(String name, List<String> roles, List<Key> keys) {
    public static final int MAX_KEYS = 10;

    public Service {
      Principal.validateName(name);
      roles = List.copyOf(roles);
      keys = List.copyOf(keys);
    }

    public record Key(String keyId, String secretSha256, long createdMillis) {}

    public Principal principal() {
      return Principal.service(name, Principal.Method.API_KEY);
    }
  }

  public static byte[] encode(Service sv) {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", sv.name());
    ArrayNode roles = n.putArray("roles");
    sv.roles().forEach(roles::add);
    ArrayNode keys = n.putArray("keys");
    for (Service.Key k : sv.keys()) {
      keys.addObject().put("keyId", k.keyId()).put("sha256", k.secretSha256()).put("created", k.createdMillis());
    }
    return bytes(n);
  }

  public static Service decodeService(byte[] value) {
    JsonNode n = tree(value);
    List<String> roles = new ArrayList<>();
    n.path("roles").forEach(r -> roles.add(r.asText()));
    List<Service.Key> keys = new ArrayList<>();
    n.path("keys").forEach(k -> keys.add(new Service.Key(text(k, "keyId"), text(k, "sha256"), k.path("created").asLong())));
    return new Service(text(n, "name"), roles, keys);
  }

  /**
   * A group: role names bound to each of its members ({@code user:<name>} or {@code service:<name>}, as
   * {@link Principal#display()}). A member's roles are its own and those of every group it is in; a member need not
   * have a record (a client-certificate identity without one gets its roles from its groups).
   */
  public record Group(String name, List<String> roles, List<String> members) {
    public static final int MAX_MEMBERS = 1000;

    public Group {
      Principal.validateName(name);
      roles = List.copyOf(roles);
      members = List.copyOf(new LinkedHashSet<>(members));
      if (members.size() > MAX_MEMBERS) {
        throw new IllegalArgumentException("a group has at most " + MAX_MEMBERS + " members, not " + members.size());
      }
      for (String m : members) validateMember(m);
    }

    /** {@code user:<name>} or {@code service:<name>} with a valid name; anything else is refused. */
    public static void validateMember(String member) {
      int colon = member == null ? -1 : member.indexOf(':');
      String kind = colon < 0 ? "" : member.substring(0, colon);
      if (!kind.equals("user") && !kind.equals("service")
          || !member.substring(colon + 1).matches("[A-Za-z0-9._@-]{1,256}")) {
        throw new IllegalArgumentException("a group member is user:<name> or service:<name> (names of a-z, A-Z, 0-9"
            + " and ._@-), not '" + member + "'");
      }
    }
  }

  public static byte[] encode(Group g) {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", g.name());
    ArrayNode roles = n.putArray("roles");
    g.roles().forEach(roles::add);
    ArrayNode members = n.putArray("members");
    g.members().forEach(members::add);
    return bytes(n);
  }

  public static Group decodeGroup(byte[] value) {
    JsonNode n = tree(value);
    List<String> roles = new ArrayList<>();
    n.path("roles").forEach(r -> roles.add(r.asText()));
    List<String> members = new ArrayList<>();
    n.path("members").forEach(m -> members.add(m.asText()));
    return new Group(text(n, "name"), roles, members);
  }

  /** A token signing key; the newest ({@code createdMillis}, then kid) signs, every one verifies. */
  public record SigningKey(String kid, byte[] secret, long createdMillis) {}

  public static byte[] encode(User u) {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", u.name());
    n.put("passwordHash", u.passwordHash());
    ArrayNode roles = n.putArray("roles");
    u.roles().forEach(roles::add);
    n.put("epoch", u.epoch());
    return bytes(n);
  }

  public static User decodeUser(byte[] value) {
    JsonNode n = tree(value);
    List<String> roles = new ArrayList<>();
    n.path("roles").forEach(r -> roles.add(r.asText()));
    return new User(text(n, "name"), text(n, "passwordHash"), roles, n.path("epoch").asLong(0));
  }

  public static byte[] encode(Role r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", r.name());
    n.set("rules", rulesJson(r.rules()));
    return bytes(n);
  }

  /** The rules of a role as the API shows them: {@code [{namespaces, keyPrefixes, operations}]}. */
  public static ArrayNode rulesJson(List<Rule> rules) {
    ArrayNode arr = JSON.createArrayNode();
    for (Rule rule : rules) {
      ObjectNode o = arr.addObject();
      ArrayNode ns = o.putArray("namespaces");
      rule.namespaces().forEach(ns::add);
      ArrayNode kp = o.putArray("keyPrefixes");
      rule.keyPrefixes().forEach(kp::add);
      ArrayNode ops = o.putArray("operations");
      rule.operations().forEach(op -> ops.add(op.wire()));
    }
    return arr;
  }

  /**
   * Rules from their JSON form (the API's and the stored one). {@link IllegalArgumentException} with a message naming
   * the rule for anything malformed: not an array, a field of the wrong type, an unknown operation.
   */
  public static List<Rule> parseRules(JsonNode rules) {
    if (rules == null || !rules.isArray()) throw new IllegalArgumentException("'rules' must be an array of rules");
    if (rules.size() > Role.MAX_RULES) {
      throw new IllegalArgumentException("a role has at most " + Role.MAX_RULES + " rules, not " + rules.size());
    }
    List<Rule> out = new ArrayList<>();
    int i = 0;
    for (JsonNode r : rules) {
      try {
        if (!r.isObject()) throw new IllegalArgumentException("must be an object");
        for (var it = r.fieldNames(); it.hasNext(); ) {
          String f = it.next();
          if (!Set.of("namespaces", "keyPrefixes", "operations").contains(f)) {
            throw new IllegalArgumentException("unknown field '" + f + "' (namespaces, keyPrefixes, operations)");
          }
        }
        Set<Operation> ops = EnumSet.noneOf(Operation.class);
        for (String op : strings(r, "operations", true)) ops.add(Operation.fromWire(op));
        out.add(new Rule(strings(r, "namespaces", true), strings(r, "keyPrefixes", false), ops));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("rule " + i + ": " + e.getMessage());
      }
      i++;
    }
    return out;
  }

  public static Role decodeRole(byte[] value) {
    JsonNode n = tree(value);
    return new Role(text(n, "name"), parseRules(n.get("rules")));
  }

  public static byte[] encode(SigningKey k) {
    ObjectNode n = JSON.createObjectNode();
    n.put("kid", k.kid());
    n.put("secret", Base64.getEncoder().encodeToString(k.secret()));
    n.put("created", k.createdMillis());
    return bytes(n);
  }

  public static SigningKey decodeSigningKey(byte[] value) {
    JsonNode n = tree(value);
    return new SigningKey(text(n, "kid"), Base64.getDecoder().decode(text(n, "secret")), n.path("created").asLong());
  }

  /**
   * What every member enforces at one point in the log: the policy (each user bound to its roles), the users (for
   * login and token epochs) and the token signer (null until the cluster has a signing key).
   */
  public record Snapshot(Policy policy, Map<String, User> users, Map<String, Role> roles, TokenSigner signer,
      Map<String, Service> services, Map<String, Service> serviceByKeyId, Map<String, Group> groups) {
    public static final Snapshot EMPTY = new Snapshot(Policy.EMPTY, Map.of(), Map.of(), null, Map.of(), Map.of(),
        Map.of());

    /** The names of the groups {@code principal} (its display form) is a member of. */
    public List<String> groupsOf(String principal) {
      return groups.values().stream().filter(g -> g.members().contains(principal)).map(Group::name).toList();
    }
  }

  /** Compiles the records (key without {@code auth/} to value, as the store lists them). */
  public static Snapshot compile(SortedMap<String, byte[]> records, Clock clock) {
    Map<String, User> users = new TreeMap<>();
    Map<String, Role> roles = new TreeMap<>();
    List<SigningKey> keys = new ArrayList<>();
    Map<String, Service> services = new TreeMap<>();
    Map<String, Group> groups = new TreeMap<>();
    for (var e : records.entrySet()) {
      String k = e.getKey();
      try {
        if (k.startsWith(USER)) {
          User u = decodeUser(e.getValue());
          users.put(u.name(), u);
        } else if (k.startsWith(ROLE)) {
          Role r = decodeRole(e.getValue());
          if (!Role.isBuiltIn(r.name())) roles.put(r.name(), r);
        } else if (k.startsWith(SERVICE)) {
          Service sv = decodeService(e.getValue());
          services.put(sv.name(), sv);
        } else if (k.startsWith(GROUP)) {
          Group g = decodeGroup(e.getValue());
          groups.put(g.name(), g);
        } else if (k.startsWith(SIGNING_KEY)) {
          keys.add(decodeSigningKey(e.getValue()));
        }
      } catch (RuntimeException ex) {
        LOG.warn("auth record {} is not readable and is ignored: {}", k, ex.toString());
      }
    }
    Map<String, Set<String>> bindings = new LinkedHashMap<>();
    for (User u : users.values()) bindings.put(u.principal().display(), new LinkedHashSet<>(u.roles()));
    Map<String, Service> byKeyId = new java.util.HashMap<>();
    for (Service sv : services.values()) {
      bindings.put(sv.principal().display(), new LinkedHashSet<>(sv.roles()));
      for (Service.Key k : sv.keys()) byKeyId.put(k.keyId(), sv);
    }
    for (Group g : groups.values()) {
      for (String member : g.members()) bindings.computeIfAbsent(member, m -> new LinkedHashSet<>()).addAll(g.roles());
    }
    Policy policy;
    try {
      policy = new Policy(bindings, roles.values());
    } catch (RuntimeException ex) {
      LOG.warn("auth policy not compiled ({}); denying everything until it is fixed", ex.toString());
      policy = Policy.EMPTY;
    }
    TokenSigner signer = null;
    if (!keys.isEmpty()) {
      keys.sort((a, b) -> a.createdMillis() != b.createdMillis() ? Long.compare(a.createdMillis(), b.createdMillis())
          : a.kid().compareTo(b.kid()));
      Map<String, byte[]> byKid = new LinkedHashMap<>();
      keys.forEach(k -> byKid.put(k.kid(), k.secret()));
      try {
        signer = new TokenSigner(byKid, keys.get(keys.size() - 1).kid(), clock);
      } catch (RuntimeException ex) {
        LOG.warn("token signing keys not usable: {}", ex.toString());
      }
    }
    return new Snapshot(policy, Collections.unmodifiableMap(users), Collections.unmodifiableMap(roles), signer,
        Collections.unmodifiableMap(services), Collections.unmodifiableMap(byKeyId), Collections.unmodifiableMap(groups));
  }

  private static List<String> strings(JsonNode r, String field, boolean required) {
    JsonNode a = r.get(field);
    if (a == null || a.isNull()) {
      if (required) throw new IllegalArgumentException("'" + field + "' is required");
      return List.of();
    }
    if (!a.isArray()) throw new IllegalArgumentException("'" + field + "' must be an array of strings");
    List<String> out = new ArrayList<>();
    for (JsonNode s : a) {
      if (!s.isTextual()) throw new IllegalArgumentException("'" + field + "' must be an array of strings");
      out.add(s.asText());
    }
    return out;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) throw new IllegalArgumentException("'" + field + "' missing");
    return v.asText();
  }

  private static JsonNode tree(byte[] value) {
    try {
      return JSON.readTree(value);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage());
    }
  }

  private static byte[] bytes(JsonNode n) {
    try {
      return JSON.writeValueAsString(n).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
