package io.aiondb.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.auth.AuthRecords;
import io.aiondb.server.auth.Role;
import io.aiondb.server.json.Json;
import io.aiondb.server.service.AuthService;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Login, the caller's identity, users and roles (docs/security.md "Authentication and access control"). Who may call
 * each route is in {@link RouteCatalog}; {@link AuthService} checks again (user-admin) for the changes.
 */
final class AuthRoutes {
  private final HttpApi api;
  private final AuthService auth;

  AuthRoutes(HttpApi api) {
    this.api = api;
    this.auth = api.node().auth();
  }

  void register(Router r) {
    r.post("/v1/auth/login").handler(this::login);
    r.get("/v1/auth/whoami").handler(this::whoami);
    r.get("/v1/auth/users").handler(ctx -> api.blocking(ctx, () -> usersJson(auth.users(KvRoutes.caller(ctx))),
        (c, n) -> HttpApi.json(c, 200, n)));
    r.get("/v1/auth/users/:name").handler(this::getUser);
    r.put("/v1/auth/users/:name").handler(this::putUser);
    r.delete("/v1/auth/users/:name").handler(ctx -> api.await(ctx,
        auth.deleteUser(KvRoutes.caller(ctx), ctx.pathParam("name")),
        (c, existed) -> HttpApi.json(c, 200, Json.MAPPER.createObjectNode().put("deleted", existed))));
    r.post("/v1/auth/users/:name/revoke-tokens").handler(ctx -> api.await(ctx,
        auth.revokeTokens(KvRoutes.caller(ctx), ctx.pathParam("name")),
        (c, v) -> HttpApi.json(c, 200, Json.MAPPER.createObjectNode().put("revoked", true))));
    r.get("/v1/auth/services").handler(ctx -> {
      ArrayNode arr = Json.MAPPER.createArrayNode();
      auth.services(KvRoutes.caller(ctx)).forEach(sv -> arr.add(serviceJson(sv)));
      HttpApi.json(ctx, 200, arr);
    });
    r.get("/v1/auth/services/:name").handler(ctx -> {
      String name = ctx.pathParam("name");
      AuthRecords.Service sv = auth.services(KvRoutes.caller(ctx)).stream().filter(x -> x.name().equals(name))
          .findFirst().orElseThrow(() -> new AionException(ErrorCode.NOT_FOUND, "no service account '" + name + "'"));
      HttpApi.json(ctx, 200, serviceJson(sv));
    });
    r.put("/v1/auth/services/:name").handler(ctx -> {
      List<String> roles = strings(body(ctx), "roles");
      api.await(ctx, auth.putService(KvRoutes.caller(ctx), ctx.pathParam("name"), roles),
          (c, sv) -> HttpApi.json(c, 200, serviceJson(sv)));
    });
    r.delete("/v1/auth/services/:name").handler(ctx -> api.await(ctx,
        auth.deleteService(KvRoutes.caller(ctx), ctx.pathParam("name")),
        (c, existed) -> HttpApi.json(c, 200, Json.MAPPER.createObjectNode().put("deleted", existed))));
    r.post("/v1/auth/services/:name/keys").handler(ctx -> api.await(ctx,
        auth.createApiKey(KvRoutes.caller(ctx), ctx.pathParam("name")),
        (c, g) -> HttpApi.json(c, 201, Json.MAPPER.createObjectNode().put("keyId", g.stored().keyId()).put("key", g.key()))));
    r.delete("/v1/auth/services/:name/keys/:keyid").handler(ctx -> api.await(ctx,
        auth.deleteApiKey(KvRoutes.caller(ctx), ctx.pathParam("name"), ctx.pathParam("keyid")),
        (c, existed) -> HttpApi.json(c, 200, Json.MAPPER.createObjectNode().put("deleted", existed))));
    r.get("/v1/auth/groups").handler(ctx -> {
      ArrayNode arr = Json.MAPPER.createArrayNode();
      auth.groups(KvRoutes.caller(ctx)).forEach(g -> arr.add(groupJson(g)));
      HttpApi.json(ctx, 200, arr);
    });
    r.get("/v1/auth/groups/:name").handler(ctx -> {
      String name = ctx.pathParam("name");
      AuthRecords.Group g = auth.groups(KvRoutes.caller(ctx)).stream().filter(x -> x.name().equals(name)).findFirst()
          .orElseThrow(() -> new AionException(ErrorCode.NOT_FOUND, "no group '" + name + "'"));
      HttpApi.json(ctx, 200, groupJson(g));
    });
    r.put("/v1/auth/groups/:name").handler(ctx -> {
      JsonNode b = body(ctx);
      List<String> roles = strings(b, "roles");
      List<String> members = strings(b, "members", AuthRecords.Group.MAX_MEMBERS);
      api.await(ctx, auth.putGroup(KvRoutes.caller(ctx), ctx.pathParam("name"), roles, members),
          (c, g) -> HttpApi.json(c, 200, groupJson(g)));
    });
    r.delete("/v1/auth/groups/:name").handler(ctx -> api.await(ctx,
        auth.deleteGroup(KvRoutes.caller(ctx), ctx.pathParam("name")),
        (c, existed) -> HttpApi.json(c, 200, Json.MAPPER.createObjectNode().put("deleted", existed))));
    r.get("/v1/auth/roles").handler(ctx -> {
      ArrayNode arr = Json.MAPPER.createArrayNode();
      auth.roles(KvRoutes.caller(ctx)).forEach(role -> arr.add(roleJson(role)));
      HttpApi.json(ctx, 200, arr);
    });
    r.get("/v1/auth/roles/:name").handler(ctx -> {
      String name = ctx.pathParam("name");
      Role role = auth.roles(KvRoutes.caller(ctx)).stream().filter(x -> x.name().equals(name)).findFirst()
          .orElseThrow(() -> new AionException(ErrorCode.NOT_FOUND, "no role '" + name + "'"));
      HttpApi.json(ctx, 200, roleJson(role));
    });
    r.put("/v1/auth/roles/:name").handler(this::putRole);
    r.delete("/v1/auth/roles/:name").handler(ctx -> api.await(ctx,
        auth.deleteRole(KvRoutes.caller(ctx), ctx.pathParam("name")),
        (c, existed) -> HttpApi.json(c, 200, Json.MAPPER.createObjectNode().put("deleted", existed))));
  }

  /** {@code {"user": "...", "password": "..."}} → {@code {"token", "expiresAt"}}; the hash runs on a worker thread. */
  private void login(RoutingContext ctx) {
    JsonNode b = body(ctx);
    String user = text(b, "user");
    char[] password = text(b, "password").toCharArray();
    var caller = KvRoutes.caller(ctx);
    api.blocking(ctx, () -> auth.login(caller, user, password), (c, issued) -> HttpApi.json(c, 200,
        Json.MAPPER.createObjectNode().put("token", issued.token()).put("expiresAt", issued.expiresAt().toString())));
  }

  private void whoami(RoutingContext ctx) {
    var caller = KvRoutes.caller(ctx);
    ObjectNode n = Json.MAPPER.createObjectNode().put("principal", caller.identity().display());
    ArrayNode roles = n.putArray("roles");
    auth.snapshot().policy().rolesOf(caller.identity()).forEach(r -> roles.add(r.name()));
    ArrayNode groups = n.putArray("groups");
    auth.snapshot().groupsOf(caller.identity().display()).forEach(groups::add);
    HttpApi.json(ctx, 200, n);
  }

  private void getUser(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    api.blocking(ctx, () -> auth.users(KvRoutes.caller(ctx)).stream().filter(u -> u.name().equals(name)).findFirst()
        .map(AuthRoutes::userJson).orElseThrow(() -> new AionException(ErrorCode.NOT_FOUND, "no user '" + name + "'")),
        (c, n) -> HttpApi.json(c, 200, n));
  }

  /** {@code {"password"?: "...", "roles": [...]}}: a new user needs a password; a new password revokes its tokens. */
  private void putUser(RoutingContext ctx) {
    JsonNode b = body(ctx);
    String name = ctx.pathParam("name");
    JsonNode pw = b.get("password");
    if (pw != null && !pw.isTextual()) throw new AionException(ErrorCode.BAD_REQUEST, "'password' must be a string");
    List<String> roles = strings(b, "roles");
    var caller = KvRoutes.caller(ctx);
    // the password hash (Argon2id) is CPU work: off the event loop
    api.blocking(ctx, () -> auth.putUser(caller, name, pw == null ? null : pw.asText().toCharArray(), roles),
        (c, f) -> api.await(c, f, (c2, v) -> HttpApi.json(c2, 200,
            Json.MAPPER.createObjectNode().put("name", name).set("roles", Json.MAPPER.valueToTree(roles)))));
  }

  /** {@code {"rules": [{"namespaces": [...], "keyPrefixes": [...], "operations": [...]}]}}. */
  private void putRole(RoutingContext ctx) {
    JsonNode b = body(ctx);
    String name = ctx.pathParam("name");
    List<io.aiondb.server.auth.Rule> rules;
    try {
      rules = AuthRecords.parseRules(b.get("rules"));
    } catch (IllegalArgumentException e) {
      throw new AionException(ErrorCode.BAD_REQUEST, e.getMessage());
    }
    api.await(ctx, auth.putRole(KvRoutes.caller(ctx), name, rules),
        (c, v) -> HttpApi.json(c, 200, roleJson(new Role(name, rules))));
  }

  private static ObjectNode userJson(AuthRecords.User u) {
    ObjectNode n = Json.MAPPER.createObjectNode().put("name", u.name());
    ArrayNode roles = n.putArray("roles");
    u.roles().forEach(roles::add);
    return n;
  }

  private static ArrayNode usersJson(List<AuthRecords.User> users) {
    ArrayNode arr = Json.MAPPER.createArrayNode();
    users.forEach(u -> arr.add(userJson(u)));
    return arr;
  }

  private static ObjectNode serviceJson(AuthRecords.Service sv) {
    ObjectNode n = Json.MAPPER.createObjectNode().put("name", sv.name());
    ArrayNode roles = n.putArray("roles");
    sv.roles().forEach(roles::add);
    ArrayNode keys = n.putArray("keys");
    sv.keys().forEach(k -> keys.addObject().put("keyId", k.keyId())
        .put("created", java.time.Instant.ofEpochMilli(k.createdMillis()).toString()));
    return n;
  }

  private static ObjectNode groupJson(AuthRecords.Group g) {
    ObjectNode n = Json.MAPPER.createObjectNode().put("name", g.name());
    ArrayNode roles = n.putArray("roles");
    g.roles().forEach(roles::add);
    ArrayNode members = n.putArray("members");
    g.members().forEach(members::add);
    return n;
  }

  private static ObjectNode roleJson(Role role) {
    ObjectNode n = Json.MAPPER.createObjectNode().put("name", role.name()).put("builtIn", Role.isBuiltIn(role.name()));
    n.set("rules", AuthRecords.rulesJson(role.rules()));
    return n;
  }

  private static List<String> strings(JsonNode b, String field) {
    return strings(b, field, 100);
  }

  private static List<String> strings(JsonNode b, String field, int max) {
    JsonNode a = b.get(field);
    if (a == null || a.isNull()) return List.of();
    if (!a.isArray()) throw new AionException(ErrorCode.BAD_REQUEST, "'" + field + "' must be an array of strings");
    List<String> out = new ArrayList<>();
    for (JsonNode s : a) {
      if (!s.isTextual()) throw new AionException(ErrorCode.BAD_REQUEST, "'" + field + "' must be an array of strings");
      out.add(s.asText());
    }
    if (out.size() > max) throw new AionException(ErrorCode.BAD_REQUEST, "at most " + max + " " + field);
    return out;
  }

  private static String text(JsonNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new AionException(ErrorCode.BAD_REQUEST, "'" + field + "' is required (a string)");
    }
    return v.asText();
  }

  private static JsonNode body(RoutingContext ctx) {
    return HttpApi.objectBody(ctx);
  }

}
