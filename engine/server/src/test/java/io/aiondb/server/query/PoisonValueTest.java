package io.aiondb.server.query;

import static io.aiondb.server.state.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.StoreHarness;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.IndexDef;
import io.aiondb.server.storage.NamespaceInfo;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's poison value, {@code {"age":1e999}}: the front door refuses it now ({@link ValuesTest}), but a value
 * stored before that (or by an older member) must still be written, indexed, backfilled and queried without an
 * exception, and the index path must answer what the scan answers.
 */
class PoisonValueTest {
  private static final ObjectMapper M = new ObjectMapper();
  @TempDir Path dir;

  private static ApplyResult putJson(StoreHarness h, String key, String json) {
    return h.apply(new Command.Put("u", b(key), b(json), ContentType.JSON, Command.ANY_REVISION), 2);
  }

  private static List<String> keys(QueryExecutor ex, NamespaceInfo ns, String query, boolean forceScan) throws Exception {
    QueryResult r = ex.execute(QueryParser.parse(M.readTree(query)), ns, false, forceScan);
    assertThat(r.plan().access()).isEqualTo(forceScan ? "key-range-scan" : "index-scan");
    return r.rows().stream().map(Row::key).map(String::new).toList();
  }

  @Test
  void aStoredInfiniteNumberIsIndexedBackfilledAndQueriedLikeAnyOther() throws Exception {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("u"), 1);
      putJson(h, "a", "{\"age\":1e999}"); // before the index: the backfill meets it
      putJson(h, "b", "{\"age\":20}");
      IndexDef def = ((ApplyResult.IndexCreated) h.apply(new Command.CreateIndex("u", "by-age", "$.age",
          IndexDef.Type.NUMBER, false), 3)).index();
      ApplyResult bf = h.apply(new Command.BackfillIndex("u", "by-age", def.id(), 100), 4);
      assertThat(bf).isEqualTo(new ApplyResult.Backfilled(2, IndexDef.State.READY));
      // with the index present: index maintenance meets it on the write path
      assertThat(putJson(h, "c", "{\"age\":-1e999}")).isInstanceOf(ApplyResult.Written.class);
      assertThat(putJson(h, "d", "{\"age\":5}")).isInstanceOf(ApplyResult.Written.class);
      assertThat(putJson(h, "a", "{\"age\":1e999,\"v\":2}")).isInstanceOf(ApplyResult.Written.class); // moved in place

      NamespaceInfo ns = h.store.requireNamespace("u");
      QueryExecutor ex = new QueryExecutor(h.store);
      for (String op : List.of("gt", "gte", "lt", "lte", "eq")) {
        String q = "{\"where\":[{\"field\":\"$.age\",\"op\":\"" + op + "\",\"value\":5}]}";
        assertThat(keys(ex, ns, q, false)).as(op + ": the index path answers what the scan answers")
            .isEqualTo(keys(ex, ns, q, true));
      }
      assertThat(keys(ex, ns, "{\"where\":[{\"field\":\"$.age\",\"op\":\"gt\",\"value\":1}]}", false))
          .containsExactly("a", "b", "d");
      assertThat(keys(ex, ns, "{\"where\":[{\"field\":\"$.age\",\"op\":\"lt\",\"value\":1}]}", false))
          .containsExactly("c");
    }
  }

  @Test
  void aQueryOperandOutsideTheDoubleRangeIsA400NotA500() {
    assertThatThrownBy(() -> QueryParser.parse(M.readTree("{\"where\":[{\"field\":\"$.age\",\"op\":\"gt\",\"value\":1e999}]}")))
        .isInstanceOfSatisfying(AionException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_QUERY);
          assertThat(e.getMessage()).contains("out of range");
        });
  }
}
