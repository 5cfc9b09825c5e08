package io.aiondb.server.query;

import io.aiondb.server.state.JsonPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.VersionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PredicateTest {
  private static final ObjectMapper M = new ObjectMapper();

  private static Row.Value json(String s) {
    return new Row.Value(new VersionRecord(1, 1, 1, 0, 0, false, ContentType.JSON, s.getBytes(StandardCharsets.UTF_8)));
  }

  private static Row.Value text(String s) {
    return new Row.Value(new VersionRecord(1, 1, 1, 0, 0, false, ContentType.TEXT, s.getBytes(StandardCharsets.UTF_8)));
  }

  private static boolean field(String path, String op, String operand, String doc) throws Exception {
    Predicate p = QueryParser.parse(M.readTree("{\"where\":[{\"field\":\"" + path + "\",\"op\":\"" + op + "\""
        + (operand == null ? "" : ",\"value\":" + operand) + "}]}")).where().getFirst();
    return p.test(json(doc));
  }

  @Test
  void fieldComparisons() throws Exception {
    String doc = "{\"user\":{\"age\":30,\"name\":\"ann\",\"vip\":true,\"tags\":[\"x\",\"y\"],\"n\":null}}";
    assertThat(field("$.user.age", "eq", "30", doc)).isTrue();
    assertThat(field("$.user.age", "eq", "30.0", doc)).isTrue();
    assertThat(field("$.user.age", "ne", "31", doc)).isTrue();
    assertThat(field("$.user.age", "lt", "31", doc)).isTrue();
    assertThat(field("$.user.age", "lte", "30", doc)).isTrue();
    assertThat(field("$.user.age", "gt", "30", doc)).isFalse();
    assertThat(field("$.user.age", "gte", "30", doc)).isTrue();
    assertThat(field("$.user.age", "gt", "\"20\"", doc)).isFalse(); // a string is not ordered against a number
    assertThat(field("$.user.name", "gt", "\"al\"", doc)).isTrue();
    assertThat(field("$.user.vip", "eq", "true", doc)).isTrue();
    assertThat(field("$.user.tags[1]", "eq", "\"y\"", doc)).isTrue();
    assertThat(field("$.user.tags[5]", "exists", null, doc)).isFalse();
    assertThat(field("$.user.n", "exists", null, doc)).isTrue();
    assertThat(field("$.user.missing", "exists", "false", doc)).isTrue();
    assertThat(field("$.user.name", "in", "[\"bob\",\"ann\"]", doc)).isTrue();
    assertThat(field("$.user.missing", "ne", "1", doc)).isFalse(); // absent fields match no comparison
    Predicate quoted = new Predicate.Field(JsonPath.parse("$[\"user\"].age"), Predicate.Op.EQ, M.readTree("30"));
    assertThat(quoted.test(json(doc))).isTrue();
  }

  @Test
  void nonJsonValuesNeverMatchFieldConditions() throws Exception {
    Predicate p = QueryParser.parse(M.readTree("{\"where\":[{\"field\":\"$.a\",\"op\":\"exists\"}]}")).where().getFirst();
    assertThat(p.test(text("{\"a\":1}"))).isFalse();
  }

  @Test
  void containsAndMatches() {
    assertThat(Predicate.Contains.of("lo w").test(text("hello world"))).isTrue();
    assertThat(Predicate.Contains.of("a.b").test(text("axb"))).isFalse(); // literal, not a pattern
    Predicate re = new Predicate.Matches("^h.*d$", com.google.re2j.Pattern.compile("^h.*d$"));
    assertThat(re.test(text("hello world"))).isTrue();
    assertThat(re.test(text("hello"))).isFalse();
  }

  /** (a+)+$ makes a backtracking engine take exponential time on "aaaa…!"; RE2J answers in linear time. */
  @Test
  void pathologicalRegexIsLinear() {
    Predicate re = new Predicate.Matches("(a+)+$", com.google.re2j.Pattern.compile("(a+)+$"));
    String evil = "a".repeat(100_000) + "!";
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThat(re.test(text(evil))).isFalse());
  }
}
