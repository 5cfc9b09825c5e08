package io.aiondb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.client.Read;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aion query}: the JSON query language of docs/api.md "Queries", one page at a time. */
@Command(name = "query", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
    description = {"Run a query (the JSON of docs/api.md \"Queries\"; none: every key) and print one page:",
        "a table of key, revision and value and, when there are more, the --cursor of the next page.",
        "With -o json: the server's answer as it is."})
final class QueryCommand extends Base {
  @Parameters(index = "0", paramLabel = "NS") String ns;
  @Parameters(index = "1", arity = "0..1", paramLabel = "QUERY_JSON",
      description = "The query, e.g. '{\"prefix\":\"user/\",\"limit\":10}'.") String query;
  @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the query from FILE ('-': stdin).")
  String file;
  @Option(names = "--cursor", paramLabel = "CURSOR", description = "The next page: the cursor the previous page printed.")
  String cursor;
  @Option(names = "--stale", description = "Answer from the node at once (possibly behind the leader).")
  boolean stale;

  @Override
  public Integer call() {
    if (query != null && file != null) throw CliException.usage("give the query as an argument or with --file, not both");
    byte[] text = query != null ? utf8(query) : file != null ? readFile(file) : utf8("{}");
    JsonNode q = parseJson(text, "the query");
    if (!q.isObject()) throw CliException.usage("the query must be a JSON object, not " + q.getNodeType());
    if (cursor != null) ((ObjectNode) q).put("cursor", cursor);
    JsonNode r = read(() -> db().queryAsync(ns, Output.compact(q), stale ? Read.stale() : Read.linearizable()).join());
    if (json()) {
      printJson(r);
    } else {
      out().print(render(r));
    }
    return ExitCode.OK;
  }

  /** A query answer as a table (or the plan of an explain), and a line with the row count and the next cursor. */
  static String render(JsonNode r) {
    if (r.has("plan")) return "plan at revision " + r.path("revision").asLong() + ":\n" + Output.pretty(r.get("plan")) + "\n";
    JsonNode items = r.path("items");
    boolean values = false;
    for (JsonNode i : items) values |= i.has("value") || i.has("valueBase64");
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode i : items) {
      List<String> row = new ArrayList<>(List.of(Output.keyCell(i), i.path("revision").asText()));
      if (values) row.add(Output.valueCell(i));
      rows.add(row);
    }
    StringBuilder sb = new StringBuilder();
    if (!rows.isEmpty()) sb.append(Output.table(values ? List.of("key", "revision", "value") : List.of("key", "revision"), rows));
    int n = items.size();
    sb.append('(').append(n).append(n == 1 ? " row" : " rows").append(" at revision ").append(r.path("revision").asLong());
    JsonNode c = r.get("cursor");
    if (r.hasNonNull("truncated")) sb.append("; page ended early (").append(r.get("truncated").asText()).append(')');
    if (c != null && !c.isNull()) sb.append("; next page: --cursor ").append(c.asText());
    sb.append(")\n");
    return sb.toString();
  }
}
