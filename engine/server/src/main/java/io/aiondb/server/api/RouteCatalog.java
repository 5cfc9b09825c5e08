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

  record Route(String method, String template, Audit audit, String operation) {
    Pattern pattern() {
      String re = template.replaceAll(":[a-z]+", "[^/]+").replace("*", ".*");
      return Pattern.compile(re);
    }
  }

  static final List<Route> ROUTES = List.of(
      new Route("GET", "/health", Audit.NONE, null),
      new Route("GET", "/ready", Audit.NONE, null),
      new Route("GET", "/metrics", Audit.NONE, null),
      new Route("GET", "/v1/openapi.json", Audit.NONE, null),
      new Route("GET", "/v1/status", Audit.NONE, null),
      new Route("POST", "/v1/admin/compact", Audit.HTTP, "history.compact"),
      new Route("POST", "/v1/backups", Audit.HTTP, "backup.create"),
      new Route("GET", "/v1/backups", Audit.NONE, null),
      new Route("POST", "/v1/backups/prune", Audit.HTTP, "backup.prune"),
      new Route("GET", "/v1/backups/operations", Audit.NONE, null),
      new Route("GET", "/v1/backups/operations/:op", Audit.NONE, null),
      new Route("GET", "/v1/backups/:id", Audit.NONE, null),
      new Route("DELETE", "/v1/backups/:id", Audit.HTTP, "backup.delete"),
      new Route("POST", "/v1/backups/:id/verify", Audit.HTTP, "backup.verify"),
      new Route("GET", "/v1/cluster/members", Audit.NONE, null),
      new Route("GET", "/v1/cluster/health", Audit.NONE, null),
      new Route("POST", "/v1/cluster/learners", Audit.HTTP, "member.add-learner"),
      new Route("POST", "/v1/cluster/members/:id/promote", Audit.HTTP, "member.promote"),
      new Route("DELETE", "/v1/cluster/members/:id", Audit.HTTP, "member.remove"),
      new Route("POST", "/v1/cluster/leader", Audit.HTTP, "leader.transfer"),
      new Route("GET", "/v1/cluster/nodes", Audit.NONE, null),
      new Route("GET", "/v1/cluster/nodes/:id", Audit.NONE, null),
      new Route("POST", "/v1/cluster/nodes", Audit.HTTP, "node.add"),
      new Route("POST", "/v1/cluster/nodes/:id/promote", Audit.HTTP, "node.promote"),
      new Route("POST", "/v1/cluster/nodes/:id/drain-leadership", Audit.HTTP, "node.drain-leadership"),
      new Route("POST", "/v1/cluster/nodes/:id/decommission", Audit.HTTP, "node.decommission"),
      new Route("GET", "/v1/namespaces/:ns/indexes", Audit.NONE, null),
      new Route("PUT", "/v1/namespaces/:ns/indexes/:name", Audit.SERVICE, "index.create"),
      new Route("GET", "/v1/namespaces/:ns/indexes/:name", Audit.NONE, null),
      new Route("DELETE", "/v1/namespaces/:ns/indexes/:name", Audit.SERVICE, "index.drop"),
      new Route("GET", "/v1/namespaces", Audit.NONE, null),
      new Route("PUT", "/v1/namespaces/:ns", Audit.SERVICE, "namespace.create"),
      new Route("GET", "/v1/namespaces/:ns", Audit.NONE, null),
      new Route("DELETE", "/v1/namespaces/:ns", Audit.SERVICE, "namespace.drop"),
      new Route("PUT", "/v1/ns/:ns/keys", Audit.NONE, null),
      new Route("PUT", "/v1/ns/:ns/keys/*", Audit.NONE, null),
      new Route("GET", "/v1/ns/:ns/keys/*", Audit.NONE, null),
      new Route("DELETE", "/v1/ns/:ns/keys/*", Audit.NONE, null),
      new Route("GET", "/v1/ns/:ns/history/*", Audit.NONE, null),
      new Route("POST", "/v1/ns/:ns/query", Audit.NONE, null),
      new Route("POST", "/v1/txn", Audit.NONE, null),
      new Route("GET", "/v1/ns/:ns/watch", Audit.NONE, null));

  private static final List<java.util.Map.Entry<Route, Pattern>> HTTP_AUDITED = ROUTES.stream()
      .filter(r -> r.audit() == Audit.HTTP).map(r -> java.util.Map.entry(r, r.pattern())).toList();

  private RouteCatalog() {}

  /** The operation this request is audited as at the HTTP layer, or null. */
  static String httpAudited(String method, String path) {
    for (var e : HTTP_AUDITED) {
      if (e.getKey().method().equals(method) && e.getValue().matcher(path).matches()) return e.getKey().operation();
    }
    return null;
  }
}
