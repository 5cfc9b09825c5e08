package io.aiondb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.client.Entry;
import io.aiondb.client.KeyValue;
import io.aiondb.client.Txn;
import io.aiondb.client.TxnResult;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aion txn}: a conditional transaction from a JSON file (docs/api.md "Transactions"), sent through the
 * client's {@link Txn} builder over the binary protocol. A transaction whose compares fail still prints its
 * (failure branch's) results, then exits with {@link ExitCode#CONFLICT}.
 */
@Command(name = "txn", mixinStandardHelpOptions = true, footer = ExitCode.FOOTER,
    description = {"Apply a conditional transaction (the JSON of docs/api.md \"Transactions\") atomically, and print",
        "which branch ran and each operation's result. Exits 4 when the compares failed (the failure branch ran)."})
final class TxnCommand extends Base {
  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE|-",
      description = "The transaction's JSON ('-': stdin).") String file;

  @Override
  public Integer call() {
    TxnPlan plan = TxnPlan.parse(parseJson(readFile(file), "the transaction"));
    TxnResult r = write(() -> {
      Txn t = db().txn();
      plan.applyTo(t);
      return t.commit();
    });
    List<TxnPlan.Step> ran = r.succeeded() ? plan.success() : plan.failure();
    if (json()) printJson(json(ran, r));
    else out().print(table(ran, r));
    if (!r.succeeded()) {
      throw new CliException(ExitCode.CONFLICT, "the transaction's compares did not hold: the failure branch ran"
          + " instead (COMPARE_FAILED)");
    }
    return ExitCode.OK;
  }

  /** Like the HTTP API's answer, each result also naming its namespace and key. */
  static ObjectNode json(List<TxnPlan.Step> ran, TxnResult r) {
    ObjectNode n = Output.JSON.createObjectNode();
    n.put("succeeded", r.succeeded());
    n.put("revision", r.revision());
    ArrayNode results = n.putArray("results");
    for (int i = 0; i < r.results().size(); i++) {
      TxnPlan.Step s = ran.get(i);
      ObjectNode o = results.addObject();
      o.put("op", s.kind());
      o.put("namespace", s.ns());
      key(o, s.key());
      switch (r.results().get(i)) {
        case TxnResult.PutResult p -> o.put("revision", p.revision()).put("createRevision", p.createRevision())
            .put("version", p.version());
        case TxnResult.DeleteResult d -> o.put("deleted", d.deleted());
        case TxnResult.GetResult g -> {
          o.put("found", g.value().isPresent());
          g.value().ifPresent(kv -> o.setAll(Output.version(kv)));
        }
        case TxnResult.RangeResult rg -> {
          ArrayNode items = o.putArray("items");
          for (Entry e : rg.entries()) {
            ObjectNode item = items.addObject();
            key(item, e.key());
            item.setAll(Output.version(e.value()));
          }
          o.put("more", rg.more());
        }
      }
    }
    return n;
  }

  private static void key(ObjectNode o, byte[] key) {
    String label = TxnPlan.label(key);
    if (label.startsWith("base64:")) o.put("keyBase64", label.substring(7));
    else o.put("key", label);
  }

  /** A header line (which branch ran, at which revision), then one row per result (per key of a range). */
  static String table(List<TxnPlan.Step> ran, TxnResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append(r.succeeded() ? "succeeded" : "compare failed: ran the failure branch").append(" at revision ")
        .append(r.revision()).append('\n');
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < r.results().size(); i++) {
      TxnPlan.Step s = ran.get(i);
      String no = Integer.toString(i + 1);
      switch (r.results().get(i)) {
        case TxnResult.PutResult p -> rows.add(List.of(no, "put", s.ns(), s.label(),
            "revision " + p.revision() + ", version " + p.version()));
        case TxnResult.DeleteResult d -> rows.add(List.of(no, "delete", s.ns(), s.label(),
            d.deleted() ? "deleted" : "(did not exist)"));
        case TxnResult.GetResult g -> rows.add(List.of(no, "get", s.ns(), s.label(),
            g.value().map(TxnCommand::value).orElse("(not found)")));
        case TxnResult.RangeResult rg -> {
          if (rg.entries().isEmpty()) rows.add(List.of(no, "range", s.ns(), s.label(), "(no keys)"));
          for (Entry e : rg.entries()) rows.add(List.of(no, "range", s.ns(), TxnPlan.label(e.key()), value(e.value())));
          if (rg.more()) rows.add(List.of(no, "range", s.ns(), "…", "(more keys: raise the range's limit)"));
        }
      }
    }
    if (!rows.isEmpty()) sb.append(Output.table(List.of("#", "op", "namespace", "key", "result"), rows));
    return sb.toString();
  }

  private static String value(KeyValue kv) {
    return Output.valueText(kv.value(), kv.contentType()) + " (revision " + kv.revision() + ")";
  }
}
