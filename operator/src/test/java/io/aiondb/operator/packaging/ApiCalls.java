package io.aiondb.operator.packaging;

import java.net.URI;
import java.util.Optional;

/**
 * Maps a request line the API server received ({@code GET /apis/apps/v1/namespaces/db/statefulsets?watch=true}) to
 * the RBAC permission it needs ({@code watch apps/statefulsets}).
 */
public final class ApiCalls {
  private ApiCalls() {}

  public static Optional<Rule> toRule(String method, String pathAndQuery) {
    URI uri = URI.create(pathAndQuery);
    String[] p = uri.getPath().replaceFirst("^/", "").split("/");
    int i;
    String group;
    if (p.length >= 2 && p[0].equals("api")) {
      group = "";
      i = 2; // api/v1/...
    } else if (p.length >= 3 && p[0].equals("apis")) {
      group = p[1];
      i = 3; // apis/group/version/...
    } else {
      return Optional.empty(); // /version, /openapi: not resources
    }
    if (i + 1 < p.length && p[i].equals("namespaces")) {
      if (i + 2 >= p.length) {
        return Optional.of(new Rule("", "namespaces", verb(method, true, uri.getQuery())));
      }
      i += 2;
    }
    if (i >= p.length) {
      return Optional.empty();
    }
    String resource = p[i];
    boolean named = i + 1 < p.length;
    if (i + 2 < p.length) {
      resource = resource + "/" + p[i + 2];
    }
    return Optional.of(new Rule(group, resource, verb(method, named, uri.getQuery())));
  }

  private static String verb(String method, boolean named, String query) {
    boolean watch = query != null && query.contains("watch=true");
    return switch (method) {
      case "GET" -> watch ? "watch" : named ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> named ? "delete" : "deletecollection";
      default -> throw new IllegalArgumentException("unexpected method " + method);
    };
  }
}
