package io.aiondb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.client.Entry;
import io.aiondb.client.KeyValue;
import io.aiondb.client.TxnResult;
import io.aiondb.client.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tables, values and each command's rendering, on made-up answers (unit: no I/O). */
class OutputTest {
  static final String TS = "2026-11-25T12:00:00.000Z";

  static KeyValue kv(String value, String type, long revision, long version) {
    return new KeyValue(value.getBytes(StandardCharsets.UTF_8), type, revision, 1, version, TS, revision);
  }

  static JsonNode json(String s) throws Exception {
    return Output.JSON.readTree(s);
  }

  @Test
  void tablesAlignColumnsWithoutTrailingSpaces() {
    String t = Output.table(List.of("key", "revision", "value"),
        List.of(List.of("user/1", "5", "{\"a\":1}"), List.of("u", "12", "")));
    assertThat(t).isEqualTo("""
        KEY     REVISION  VALUE
        user/1  5         {"a":1}
        u       12
        """);
  }

  @Test
  void cellsStayOnOneLineAndAreCut() {
    assertThat(Output.cell("a\nb\tc\u0001")).isEqualTo("a\\nb\\tc\\u0001");
    String cut = Output.cell("x".repeat(200));
    assertThat(cut).hasSize(Output.MAX_CELL).endsWith("…");
    assertThat(Output.cell(null)).isEqualTo("-");
  }

  @Test
  void valuesRenderAsTheHttpApiRendersThem() {
    ObjectNode n = Output.JSON.createObjectNode();
    Output.putValue(n, "{\"a\":1}".getBytes(StandardCharsets.UTF_8), "application/json");
    assertThat(n.toString()).isEqualTo("{\"value\":{\"a\":1}}");
    n = Output.JSON.createObjectNode();
    Output.putValue(n, "hi".getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    assertThat(n.toString()).isEqualTo("{\"value\":\"hi\"}");
    n = Output.JSON.createObjectNode();
    Output.putValue(n, new byte[] {0, 1, (byte) 0xFF}, "application/octet-stream");
    assertThat(n.toString()).isEqualTo("{\"valueBase64\":\"AAH/\"}");
    assertThat(Output.valueText(new byte[] {0, 1, (byte) 0xFF}, "application/octet-stream")).isEqualTo("base64:AAH/");
    assertThat(Output.valueText("hi".getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8")).isEqualTo("hi");
  }

  @Test
  void versionsShowDeletesAsTombstones() {
    assertThat(Output.version(kv("", "application/octet-stream", 6, 0)).toString())
        .isEqualTo("{\"revision\":6,\"createRevision\":1,\"version\":0,\"timestamp\":\"" + TS + "\",\"deleted\":true}");
    assertThat(Output.version(kv("hello", "text/plain; charset=utf-8", 3, 1)).toString())
        .isEqualTo("{\"revision\":3,\"createRevision\":1,\"version\":1,\"timestamp\":\"" + TS
            + "\",\"contentType\":\"text/plain; charset=utf-8\",\"value\":\"hello\"}");
  }

  @Test
  void objectsAndFieldsTables() throws Exception {
    JsonNode members = json("[{\"id\":\"n1\",\"role\":\"LEADER\",\"lag\":0,\"version\":null},"
        + "{\"id\":\"n2\",\"role\":\"FOLLOWER\",\"lag\":3}]");
    assertThat(Output.objects(members, List.of("id", "role", "lag", "version"))).isEqualTo("""
        ID  ROLE      LAG  VERSION
        n1  LEADER    0    -
        n2  FOLLOWER  3    -
        """);
    assertThat(Output.objects(json("[{\"name\":\"age\",\"createdAt\":\"t\"}]"), List.of())).isEqualTo("""
        NAME  CREATED_AT
        age   t
        """);
    assertThat(Output.fields(json("{\"name\":\"age\",\"unique\":false}"))).isEqualTo("""
        FIELD   VALUE
        name    age
        unique  false
        """);
  }

  @Test
  void queryPagesShowTheCursorAndPlans() throws Exception {
    JsonNode page = json("{\"revision\":6,\"count\":2,\"items\":["
        + "{\"key\":\"user/1\",\"revision\":5,\"contentType\":\"application/json\",\"value\":{\"name\":\"Ann\"}},"
        + "{\"key\":\"note\",\"revision\":2,\"contentType\":\"text/plain; charset=utf-8\",\"value\":\"hi\"}],"
        + "\"cursor\":\"AQAB\"}");
    assertThat(QueryCommand.render(page)).isEqualTo("""
        KEY     REVISION  VALUE
        user/1  5         {"name":"Ann"}
        note    2         hi
        (2 rows at revision 6; next page: --cursor AQAB)
        """);
    JsonNode keysOnly = json("{\"revision\":6,\"count\":1,\"items\":[{\"key\":\"user/1\",\"revision\":5}],\"cursor\":null}");
    assertThat(QueryCommand.render(keysOnly)).isEqualTo("""
        KEY     REVISION
        user/1  5
        (1 row at revision 6)
        """);
    assertThat(QueryCommand.render(json("{\"revision\":6,\"count\":0,\"items\":[],\"cursor\":null}")))
        .isEqualTo("(0 rows at revision 6)\n");
    assertThat(QueryCommand.render(json("{\"revision\":6,\"count\":0,\"items\":[],\"cursor\":\"AQAC\",\"truncated\":\"budget\"}")))
        .isEqualTo("(0 rows at revision 6; page ended early (budget); next page: --cursor AQAC)\n");
    assertThat(QueryCommand.render(json("{\"revision\":6,\"plan\":{\"access\":\"key-range-scan\"}}")))
        .startsWith("plan at revision 6:\n{").contains("\"access\" : \"key-range-scan\"");
  }

  @Test
  void transactionResults() throws Exception {
    TxnPlan plan = TxnPlan.parse(json("""
        {"namespace": "bank", "success": [
          {"op": "put", "key": "alice", "value": {"balance": 70}},
          {"op": "delete", "key": "carol"},
          {"op": "get", "key": "bob"},
          {"op": "range", "prefix": "a", "limit": 1}]}"""));
    TxnResult r = new TxnResult(true, 9, List.of(new TxnResult.PutResult(9, 7, 2), new TxnResult.DeleteResult(false),
        new TxnResult.GetResult(Optional.empty()),
        new TxnResult.RangeResult(List.of(new Entry("alice".getBytes(StandardCharsets.UTF_8),
            kv("{\"balance\":70}", "application/json", 9, 2))), true)));
    assertThat(TxnCommand.table(plan.success(), r)).isEqualTo("""
        succeeded at revision 9
        #  OP      NAMESPACE  KEY    RESULT
        1  put     bank       alice  revision 9, version 2
        2  delete  bank       carol  (did not exist)
        3  get     bank       bob    (not found)
        4  range   bank       alice  {"balance":70} (revision 9)
        4  range   bank       …      (more keys: raise the range's limit)
        """);
    assertThat(TxnCommand.json(plan.success(), r).toString()).isEqualTo("{\"succeeded\":true,\"revision\":9,\"results\":["
        + "{\"op\":\"put\",\"namespace\":\"bank\",\"key\":\"alice\",\"revision\":9,\"createRevision\":7,\"version\":2},"
        + "{\"op\":\"delete\",\"namespace\":\"bank\",\"key\":\"carol\",\"deleted\":false},"
        + "{\"op\":\"get\",\"namespace\":\"bank\",\"key\":\"bob\",\"found\":false},"
        + "{\"op\":\"range\",\"namespace\":\"bank\",\"key\":\"a\",\"items\":[{\"key\":\"alice\",\"revision\":9,"
        + "\"createRevision\":1,\"version\":2,\"timestamp\":\"" + TS + "\",\"contentType\":\"application/json\","
        + "\"value\":{\"balance\":70}}],\"more\":true}]}");
  }

  @Test
  void watchLines() {
    WatchEvent put = new WatchEvent(7, "alice".getBytes(StandardCharsets.UTF_8), false,
        kv("{\"balance\":100}", "application/json", 7, 1));
    WatchEvent del = new WatchEvent(8, "alice".getBytes(StandardCharsets.UTF_8), true, null);
    assertThat(WatchCommand.line(put)).isEqualTo("7  put  alice  {\"balance\":100}");
    assertThat(WatchCommand.line(del)).isEqualTo("8  delete  alice");
    assertThat(WatchCommand.json(put).toString()).isEqualTo("{\"revision\":7,\"type\":\"put\",\"key\":\"alice\","
        + "\"createRevision\":1,\"version\":1,\"timestamp\":\"" + TS + "\",\"contentType\":\"application/json\","
        + "\"value\":{\"balance\":100}}");
    assertThat(WatchCommand.json(del).toString()).isEqualTo("{\"revision\":8,\"type\":\"delete\",\"key\":\"alice\"}");
    WatchEvent multiline = new WatchEvent(9, "n".getBytes(StandardCharsets.UTF_8), false,
        kv("a\nb", "text/plain; charset=utf-8", 9, 1));
    assertThat(WatchCommand.line(multiline)).isEqualTo("9  put  n  a\\nb");
  }
}
