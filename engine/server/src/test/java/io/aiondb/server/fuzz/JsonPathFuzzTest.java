package io.aiondb.server.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.server.AionException;
import io.aiondb.server.json.Json;
import io.aiondb.server.state.JsonPath;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * JSON field paths ({@code $.user.age}, {@code $.tags[0]}, {@code $["odd key"]}) as queries and index definitions
 * send them. Input: the path text, a newline, then a JSON document. {@link JsonPath#parse} returns a path or throws
 * a 4xx {@link AionException}; a parsed path keeps its text and resolves against any document without throwing.
 */
class JsonPathFuzzTest {

  @FuzzTest
  @DictionaryEntries({"$", ".", "[", "]", "[\"", "\"]", "[0]", "[-1]", "[2147483648]"})
  void parseResolve(byte[] input) {
    int nl = -1;
    for (int i = 0; i < input.length && nl < 0; i++) if (input[i] == '\n') nl = i;
    String text = new String(nl < 0 ? input : Arrays.copyOfRange(input, 0, nl), StandardCharsets.UTF_8);
    JsonPath path;
    try {
      path = JsonPath.parse(text);
    } catch (AionException e) {
      Invariants.clientError(e);
      return;
    }
    if (!path.text().equals(text)) throw new AssertionError("parsed path text changed: " + path.text());
    for (Object step : path.steps()) {
      if (!(step instanceof String) && !(step instanceof Integer i && i >= 0)) {
        throw new AssertionError("a path step is a field name or an index >= 0, not " + step);
      }
    }
    if (nl < 0) return;
    JsonNode doc;
    try {
      doc = Json.parse(Arrays.copyOfRange(input, nl + 1, input.length));
    } catch (java.io.IOException e) {
      return;
    }
    path.resolve(doc);
  }
}
