package io.aiondb.ycsb.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.query.Predicate;
import io.aiondb.server.query.QueryParser;
import io.aiondb.server.query.Row;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.VersionRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Evaluating a query's {@code where} conditions against one stored version, as the query executor does for every
 * row it scans: a fresh {@link Row.Value} per row, so JSON parsing (field conditions) or UTF-8 decoding
 * ({@code contains}, {@code matches}) is part of the cost. The document is a 1 KB YCSB-like record; every
 * condition matches it, so all of a list is evaluated.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PredicateBenchmark {
  private static final ObjectMapper M = new ObjectMapper();

  /** The {@code where} lists, by name. */
  private static final Map<String, String> WHERE = Map.of(
      "fieldGte", "[{\"field\":\"$.age\",\"op\":\"gte\",\"value\":30}]",
      "twoFields", "[{\"field\":\"$.user.name\",\"op\":\"eq\",\"value\":\"ann\"},{\"field\":\"$.age\",\"op\":\"lt\",\"value\":99}]",
      "contains", "[{\"contains\":\"needle\"}]",
      "matches", "[{\"matches\":\"^\\\\{\\\"age\\\":3[0-9]\"}]");

  @Param({"fieldGte", "twoFields", "contains", "matches"})
  public String where;

  private List<Predicate> predicates;
  private VersionRecord record;

  @Setup
  public void setup() throws IOException {
    predicates = QueryParser.parse(M.readTree("{\"where\":" + WHERE.get(where) + "}")).where();
    StringBuilder doc = new StringBuilder("{\"age\":34,\"user\":{\"name\":\"ann\"}");
    for (int i = 0; i < 9; i++) doc.append(",\"field").append(i).append("\":\"").append("x".repeat(100)).append('"');
    doc.append(",\"tail\":\"needle\"}");
    record = new VersionRecord(1, 1, 1, 0, 0, false, ContentType.JSON, doc.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Benchmark
  public boolean evaluate() {
    Row.Value v = new Row.Value(record);
    for (Predicate p : predicates) if (!p.test(v)) return false;
    return true;
  }
}
