package io.aiondb.server.api;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Every HTTP route, with what it does to the cluster: the one table the audit log (and RBAC, docs/design/011) reads.
 * {@code RouteCatalogTest} fails when a route is registered without an entry here, or an entry has no route.
 */
final class RouteCatalog {
  /** How a route's privileged operations are audited. */
  enum Audit {
    /** Not a privileged operation (reads, key writes). */
    NONE,
    /** Recorded by the service layer ({@code KvService}: namespace and index changes), for every transport. */
    SERVICE,
    /** Recorded here, when the response ends, as {@link Route#operation}. */
    HTTP
  }

  /**
   * Who may call a route when auth.enabled (docs/security.md): anyone ({@link #PUBLIC}); whoever the service layer
   * lets touch what the request names ({@link #SERVICE}: keys, namespaces, indexes, queries, watches, transactions);
   * any authenticated caller ({@link #AUTHENTICATED}); or whoever holds one cluster-level operation.
   */
  record Access(String kind, io.aiondb.server.auth.Operation operation) {
    static final Access PUBLIC = new Access("public", null);
    static final Access SERVICE = new Access("service", null);
    static final Access AUTHENTICATED = new Access("authenticated", null);

    static Access of(io.aiondb.server.auth.Operation op) {
      return new Access("operation", op);
    }
  }

  private static final Access CLUSTER_READ = Access.of(io.aiondb.server.auth.Operation.CLUSTER_READ);
  private static final Access CLUSTER_ADMIN = Access.of(io.aiondb.server.auth.Operation.CLUSTER_ADMIN);
  private static final Access BACKUP = Access.of(io.aiondb.server.auth.Operation.BACKUP);
  private static final Access USER_ADMIN = Access.of(io.aiondb.server.auth.Operation.USER_ADMIN);

  record Route(String method, String template, Audit audit, String operation, Access access) {
    Pattern pattern() {
      String re = template.replaceAll(":[A-Za-z]+", "[^/]+").replace("*", ".*");
      return Pattern.compile(re);
    }
  }

  static final List<Route> ROUTES = List.of(
      new Route("GET", "/health", Audit.NONE, null, Access.PUBLIC),
      new Route("GET", "/ready", Audit.NONE, null, Access.PUBLIC),
      new Route("GET", "/metrics", Audit.NONE, null, Access.PUBLIC),
      new Route("GET", "/v1/openapi.json", Audit.NONE, null, Access.PUBLIC),
      // public like /metrics (etcd's member list is too): the members read each other's status and member list
      // anonymously (ClusterAdmin's reachability, DataGuard at start, when a node may hold no credentials yet)
      new Route("GET", "/v1/status", Audit.NONE, null, Access.PUBLIC),
      new Route("POST", "/v1/admin/compact", Audit.HTTP, "history.compact", CLUSTER_ADMIN),
      new Route("POST", "/v1/backups", Audit.HTTP, "backup.create", BACKUP),
      new Route("GET", "/v1/backups", Audit.NONE, null, BACKUP),
      new Route("POST", "/v1/backups/prune", Audit.HTTP, "backup.prune", BACKUP),
      new Route("GET", "/v1/backups/operations", Audit.NONE, null, BACKUP),
      new Route("GET", "/v1/backups/operations/:op", Audit.NONE, null, BACKUP),
      new Route("GET", "/v1/backups/:id", Audit.NONE, null, BACKUP),
      new Route("DELETE", "/v1/backups/:id", Audit.HTTP, "backup.delete", BACKUP),
      new Route("POST", "/v1/backups/:id/verify", Audit.HTTP, "backup.verify", BACKUP),
      new Route("GET", "/v1/encryption", Audit.NONE, null, CLUSTER_READ),
      new Route("POST", "/v1/encryption/rotate", Audit.HTTP, "encryption.rotate", CLUSTER_ADMIN),
      new Route("GET", "/v1/cluster/members", Audit.NONE, null, Access.PUBLIC),
      new Route("GET", "/v1/cluster/health", Audit.NONE, null, CLUSTER_READ),
      new Route("POST", "/v1/cluster/learners", Audit.HTTP, "member.add-learner", CLUSTER_ADMIN),
      new Route("POST", "/v1/cluster/members/:id/promote", Audit.HTTP, "member.promote", CLUSTER_ADMIN),
      new Route("DELETE", "/v1/cluster/members/:id", Audit.HTTP, "member.remove", CLUSTER_ADMIN),
      new Route("POST", "/v1/cluster/leader", Audit.HTTP, "leader.transfer", CLUSTER_ADMIN),
      new Route("GET", "/v1/cluster/nodes", Audit.NONE, null, CLUSTER_READ),
      new Route("GET", "/v1/cluster/nodes/:id", Audit.NONE, null, CLUSTER_READ),
      new Route("POST", "/v1/cluster/nodes", Audit.HTTP, "node.add", CLUSTER_ADMIN),
      new Route("POST", "/v1/cluster/nodes/:id/promote", Audit.HTTP, "node.promote", CLUSTER_ADMIN),
      new Route("POST", "/v1/cluster/nodes/:id/drain-leadership", Audit.HTTP, "node.drain-leadership", CLUSTER_ADMIN),
      new Route("POST", "/v1/cluster/nodes/:id/decommission", Audit.HTTP, "node.decommission", CLUSTER_ADMIN),
      new Route("GET", "/v1/namespaces/:ns/indexes", Audit.NONE, null, Access.SERVICE),
      new Route("PUT", "/v1/namespaces/:ns/indexes/:name", Audit.SERVICE, "index.create", Access.SERVICE),
      new Route("GET", "/v1/namespaces/:ns/indexes/:name", Audit.NONE, null, Access.SERVICE),
      new Route("DELETE", "/v1/namespaces/:ns/indexes/:name", Audit.SERVICE, "index.drop", Access.SERVICE),
      new Route("GET", "/v1/namespaces", Audit.NONE, null, Access.SERVICE),
      new Route("PUT", "/v1/namespaces/:ns", Audit.SERVICE, "namespace.create", Access.SERVICE),
      new Route("GET", "/v1/namespaces/:ns", Audit.NONE, null, Access.SERVICE),
      new Route("DELETE", "/v1/namespaces/:ns", Audit.SERVICE, "namespace.drop", Access.SERVICE),
      new Route("PUT", "/v1/ns/:ns/keys", Audit.NONE, null, Access.SERVICE),
      new Route("PUT", "/v1/ns/:ns/keys/*", Audit.NONE, null, Access.SERVICE),
      new Route("GET", "/v1/ns/:ns/keys/*", Audit.NONE, null, Access.SERVICE),
      new Route("DELETE", "/v1/ns/:ns/keys/*", Audit.NONE, null, Access.SERVICE),
      new Route("GET", "/v1/ns/:ns/history/*", Audit.NONE, null, Access.SERVICE),
      new Route("POST", "/v1/ns/:ns/query", Audit.NONE, null, Access.SERVICE),
      new Route("POST", "/v1/txn", Audit.NONE, null, Access.SERVICE),
      new Route("GET", "/v1/ns/:ns/watch", Audit.NONE, null, Access.SERVICE),
      new Route("POST", "/v1/auth/login", Audit.NONE, null, Access.PUBLIC), // AuthService records every login
      new Route("GET", "/v1/auth/whoami", Audit.NONE, null, Access.AUTHENTICATED),
      new Route("GET", "/v1/auth/users", Audit.NONE, null, USER_ADMIN),
      new Route("GET", "/v1/auth/users/:name", Audit.NONE, null, USER_ADMIN),
      new Route("PUT", "/v1/auth/users/:name", Audit.HTTP, "user.put", USER_ADMIN),
      new Route("DELETE", "/v1/auth/users/:name", Audit.HTTP, "user.delete", USER_ADMIN),
      new Route("POST", "/v1/auth/users/:name/revoke-tokens", Audit.HTTP, "user.revoke-tokens", USER_ADMIN),
      new Route("GET", "/v1/auth/services", Audit.NONE, null, USER_ADMIN),
      new Route("GET", "/v1/auth/services/:name", Audit.NONE, null, USER_ADMIN),
      new Route("PUT", "/v1/auth/services/:name", Audit.HTTP, "service.put", USER_ADMIN),
      new Route("DELETE", "/v1/auth/services/:name", Audit.HTTP, "service.delete", USER_ADMIN),
      new Route("POST", "/v1/auth/services/:name/keys", Audit.HTTP, "service.key-create", USER_ADMIN),
      new Route("DELETE", "/v1/auth/services/:name/keys/:keyid", Audit.HTTP, "service.key-delete", USER_ADMIN),
      new Route("GET", "/v1/auth/groups", Audit.NONE, null, USER_ADMIN),
      new Route("GET", "/v1/auth/groups/:name", Audit.NONE, null, USER_ADMIN),
      new Route("PUT", "/v1/auth/groups/:name", Audit.HTTP, "group.put", USER_ADMIN),
      new Route("DELETE", "/v1/auth/groups/:name", Audit.HTTP, "group.delete", USER_ADMIN),
      new Route("GET", "/v1/auth/roles", Audit.NONE, null, USER_ADMIN),
      new Route("GET", "/v1/auth/roles/:name", Audit.NONE, null, USER_ADMIN),
      new Route("PUT", "/v1/auth/roles/:name", Audit.HTTP, "role.put", USER_ADMIN),
      new Route("DELETE", "/v1/auth/roles/:name", Audit.HTTP, "role.delete", USER_ADMIN));

  private static final List<java.util.Map.Entry<Route, Pattern>> HTTP_AUDITED = ROUTES.stream()
      .filter(r -> r.audit() == Audit.HTTP).map(r -> java.util.Map.entry(r, r.pattern())).toList();

  private static final List<java.util.Map.Entry<Route, Pattern>> ALL = ROUTES.stream()
      .map(r -> java.util.Map.entry(r, r.pattern())).toList();

  private RouteCatalog() {}

  /** The catalogue entry of this request, or null for a path no route serves (answered 404 or 405). */
  static Route route(String method, String path) {
    for (var e : ALL) {
      if (e.getKey().method().equals(method) && e.getValue().matcher(path).matches()) return e.getKey();
    }
    return null;
  }

  /** The operation this request is audited as at the HTTP layer, or null. */
  static String httpAudited(String method, String path) {
    for (var e : HTTP_AUDITED) {
      if (e.getKey().method().equals(method) && e.getValue().matcher(path).matches()) return e.getKey().operation();
    }
    return null;
  }
}
