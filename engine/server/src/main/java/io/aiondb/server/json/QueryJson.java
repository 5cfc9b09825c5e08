package io.aiondb.server.json;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.query.Query;
import io.aiondb.server.query.QueryResult;
import io.aiondb.server.query.Row;
import java.nio.charset.StandardCharsets;

/** A query's answer as JSON: the same document over HTTP and in the binary protocol's QUERY answer. */
public final class QueryJson {
  private QueryJson() {}

  public static ObjectNode render(Query q, QueryResult res) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("revision", res.revision());
    if (q.explain()) {
      ObjectNode p = n.putObject("plan");
      p.put("access", res.plan().access());
      if (res.plan().index() != null) p.put("index", res.plan().index().describe());
      p.put("source", res.source());
      putBound(p, "lower", res.plan().lower());
      putBound(p, "upper", res.plan().upper());
      p.put("empty", res.plan().empty());
      p.put("order", res.plan().reverse() ? "descending" : "ascending");
      ArrayNode f = p.putArray("filters");
      res.plan().filters().forEach(f::add);
      return n;
    }
    n.put("count", res.rows().size());
    ArrayNode items = n.putArray("items");
    for (Row row : res.rows()) {
      ObjectNode item = Json.MAPPER.createObjectNode();
      Json.putKey(item, row.key());
      item.setAll(Json.version(row.version(), !q.keysOnly()));
      items.add(item);
    }
    if (res.cursor() == null) n.putNull("cursor");
    else n.put("cursor", res.cursor());
    if (res.truncated() != null) n.put("truncated", res.truncated().json());
    return n;
  }

  private static void putBound(ObjectNode n, String name, byte[] b) {
    if (b == null) n.putNull(name);
    else if (Json.isUtf8(b)) n.put(name, new String(b, StandardCharsets.UTF_8));
    else n.put(name + "Base64", java.util.Base64.getEncoder().encodeToString(b));
  }}
