package io.aiondb.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueryParserTest {
  private static final ObjectMapper M = new ObjectMapper();

  private static Query parse(String json) throws Exception {
    return QueryParser.parse(M.readTree(json));
  }

  @Test
  void parsesEverything() throws Exception {
    Query q = parse("""
        {"prefix":"user/","start":"user/b","end":"user/y","after":"2026-01-01T00:00:00Z","before":"2026-12-31T23:59:59.5+01:00",
         "where":[{"contains":"x"},{"matches":"^a+$"},{"field":"$.age","op":"gte","value":18},{"field":"$.tags[0]","op":"in","value":["a","b"]},
                  {"field":"$.deleted","op":"exists","value":false}],
         "keysOnly":true,"reverse":true,"limit":50,"maxBytes":1000,"explain":false}""");
    assertThat(q.where()).hasSize(5);
    assertThat(q.limit()).isEqualTo(50);
    assertThat(q.afterMillis()).isEqualTo(1767225600000L);
    assertThat(q.beforeMillis()).isEqualTo(1798757999500L);
    assertThat(q.keysOnly()).isTrue();
    assertThat(q.reverse()).isTrue();
  }

  @Test
  void defaults() throws Exception {
    Query q = parse("{}");
    assertThat(q.limit()).isEqualTo(100);
    assertThat(q.where()).isEmpty();
    assertThat(q.cursor()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "[]", "{\"bogus\":1}", "{\"limit\":0}", "{\"limit\":10001}", "{\"limit\":1.5}", "{\"limit\":\"5\"}",
      "{\"maxBytes\":0}", "{\"maxBytes\":8388609}", "{\"after\":\"yesterday\"}", "{\"prefix\":5}", "{\"where\":{}}", "{\"where\":[1]}",
      "{\"where\":[{\"matches\":\"(a\"}]}", "{\"where\":[{\"matches\":\"(a)\\\\1\"}]}", "{\"where\":[{\"field\":\"a.b\",\"op\":\"eq\",\"value\":1}]}",
      "{\"where\":[{\"field\":\"$.a\",\"op\":\"like\",\"value\":1}]}", "{\"where\":[{\"field\":\"$.a\",\"op\":\"in\",\"value\":1}]}",
      "{\"where\":[{\"field\":\"$.a\",\"op\":\"lt\",\"value\":true}]}", "{\"where\":[{\"field\":\"$.a\",\"op\":\"eq\"}]}",
      "{\"where\":[{\"contains\":\"a\",\"matches\":\"b\"}]}", "{\"reverse\":\"yes\"}", "{\"where\":[{\"field\":\"$.a[x]\",\"op\":\"exists\"}]}"})
  void rejectsWithAClearError(String json) {
    assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(AionException.class, e -> {
      assertThat(e.code()).isIn(ErrorCode.INVALID_QUERY, ErrorCode.INVALID_CURSOR);
      assertThat(e.getMessage()).isNotBlank();
    });
  }

  /** Found by QueryFuzzTest: Jackson reads 1e999 as Infinity, which has no decimal value (500 on compare/plan). */
  @ParameterizedTest
  @ValueSource(strings = {"1e999", "-1e400", "[1,1e999]", "{\"a\":[1e999]}"})
  void rejectsNonFiniteNumbers(String operand) {
    String op = operand.startsWith("[") ? "in" : operand.startsWith("{") ? "eq" : "gt";
    assertThatThrownBy(() -> parse("{\"where\":[{\"field\":\"$.a\",\"op\":\"" + op + "\",\"value\":" + operand + "}]}"))
        .isInstanceOfSatisfying(AionException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_QUERY);
          assertThat(e.getMessage()).contains("finite");
        });
  }

  @Test
  void maxBytesIsCappedSoAPageFitsAProtocolFrame() throws Exception {
    assertThat(parse("{\"maxBytes\":8388608}").maxBytes()).isEqualTo(Query.MAX_MAX_BYTES);
    assertThat(parse("{}").maxBytes()).isEqualTo(Query.MAX_MAX_BYTES);
    assertThatThrownBy(() -> parse("{\"maxBytes\":16777216}")).isInstanceOfSatisfying(AionException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_QUERY);
      assertThat(e.code().httpStatus()).isEqualTo(400);
      assertThat(e.getMessage()).contains("maxBytes").contains("8388608");
    });
  }

  @Test
  void hashIgnoresPagingAndFieldOrder() throws Exception {
    JsonNode a = M.readTree("{\"prefix\":\"p\",\"reverse\":true,\"limit\":5}");
    JsonNode b = M.readTree("{\"reverse\":true,\"prefix\":\"p\",\"limit\":50,\"cursor\":\"x\"}");
    JsonNode c = M.readTree("{\"reverse\":false,\"prefix\":\"p\"}");
    assertThat(QueryParser.hash(a)).isEqualTo(QueryParser.hash(b));
    assertThat(QueryParser.hash(a)).isNotEqualTo(QueryParser.hash(c));
  }
}
