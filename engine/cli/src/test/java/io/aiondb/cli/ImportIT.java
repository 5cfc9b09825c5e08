package io.aiondb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.server.AionServer;
import io.aiondb.server.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aion import} against a real server: batches, progress, and where an error stops the load. */
class ImportIT {
  @TempDir static Path dir;
  static AionServer server;
  static List<String> globals;

  @BeforeAll
  static void start() {
    server = AionServer.start(ConfigLoader.load(new String[] {"--http.port=0", "--raft.port=0", "--protocol.port=0",
        "--data.dir=" + dir.resolve("data"), "--storage.sync=false", "--shutdown.grace=2s"}, Map.of(), null));
    globals = List.of("--endpoints=127.0.0.1:" + server.protocolPort(), "--http=" + server.url(), "--timeout=10s");
    ok("ns", "create", "imp");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Run aion(String... args) {
    return aionIn("", args);
  }

  static Run aionIn(String stdin, String... args) {
    List<String> all = new ArrayList<>(globals);
    all.addAll(List.of(args));
    return Run.aion(Map.of(), stdin, all.toArray(String[]::new));
  }

  static Run ok(String... args) {
    Run r = aion(args);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).as(r.toString()).isEmpty();
    return r;
  }

  static String lines(String prefix, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) b.append("{\"key\":\"").append(prefix).append(i).append("\",\"value\":{\"n\":").append(i).append("}}\n");
    return b.toString();
  }

  static JsonNode get(String key) throws Exception {
    return Output.JSON.readTree(ok("-o", "json", "get", "imp", key).out());
  }

  static boolean exists(String key) {
    return aion("get", "imp", key).exit() == 0;
  }

  @Test
  void loadsAFileInBatchesWithProgress() throws Exception {
    Path file = dir.resolve("data.jsonl");
    Files.writeString(file, lines("f", 25) + "\n{\"key\":\"t\",\"text\":\"plain\"}\n{\"key\":\"bin\",\"valueBase64\":\"AAE=\"}\n");
    Run r = aion("-o", "json", "import", "imp", file.toString(), "--batch-size", "10", "--progress");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode out = Output.JSON.readTree(r.out());
    assertThat(out.get("keys").asLong()).isEqualTo(27);
    assertThat(out.get("batches").asInt()).isEqualTo(3);
    assertThat(r.err().lines()).hasSize(3).allMatch(l -> l.startsWith("imported "));
    assertThat(r.err().lines().toList().getLast()).startsWith("imported 27 keys (3 batches, up to line 28)");
    long last = out.get("revision").asLong();
    assertThat(get("f0").get("revision").asLong()).isEqualTo(last - 2); // keys of one batch share a revision
    assertThat(get("f9").get("revision").asLong()).isEqualTo(last - 2);
    assertThat(get("f10").get("revision").asLong()).isEqualTo(last - 1);
    assertThat(get("f24").get("value").get("n").asInt()).isEqualTo(24);
    assertThat(get("t").get("value").asText()).isEqualTo("plain");
    assertThat(get("bin").get("valueBase64").asText()).isEqualTo("AAE=");
  }

  @Test
  void aRepeatedKeyEndsTheBatchSoTheLaterLineWins() throws Exception {
    Run r = aionIn("{\"key\":\"r\",\"text\":\"first\"}\n{\"key\":\"s\",\"text\":\"x\"}\n{\"key\":\"r\",\"text\":\"second\"}\n",
        "-o", "json", "import", "imp");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(Output.JSON.readTree(r.out()).get("batches").asInt()).isEqualTo(2);
    assertThat(get("r").get("value").asText()).isEqualTo("second");
    assertThat(get("r").get("version").asInt()).isEqualTo(2);
  }

  @Test
  void aBadValueStopsTheLoadAtItsBatchNamingTheLine() {
    // batches of 5: lines 1-5 are written, line 8 (item 2 of the second batch) is refused by the server
    List<String> in = new ArrayList<>(lines("bad", 10).lines().toList());
    in.set(7, "{\"key\":\"bad7\",\"value\":[1e999]}");
    Run r = aionIn(String.join("\n", in) + "\n", "import", "imp", "--batch-size", "5");
    CliIT.fails(r, ExitCode.ERROR, "batch of lines 6-10: line 8 (key 'bad7'): the value is sent as JSON but the number 1E+999 at /0 is outside the range");
    assertThat(r.err()).contains("(INVALID_JSON); 5 keys before line 6 were written (1 batches), none after");
    assertThat(exists("bad4")).isTrue();
    assertThat(exists("bad5")).isFalse();
    assertThat(exists("bad9")).isFalse();
  }

  /**
   * Several batches in flight: every line is written, and a key repeated in a later batch waits for the batch in
   * flight that holds it, so the later line wins (its versions follow the lines).
   */
  @Test
  void batchesInFlightWriteEveryLineAndTheLaterLineOfAKeyWins() throws Exception {
    StringBuilder in = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      in.append("{\"key\":\"o").append(i).append("\",\"value\":{\"n\":").append(i).append("}}\n");
      if (i % 7 == 3) in.append("{\"key\":\"same\",\"value\":{\"n\":").append(i).append("}}\n");
    }
    Run r = aionIn(in.toString(), "-o", "json", "import", "imp", "--batch-size", "10", "--in-flight", "8");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode out = Output.JSON.readTree(r.out());
    assertThat(out.get("keys").asLong()).isEqualTo(200 + 29);
    long highest = 0;
    for (int i = 0; i < 200; i++) {
      JsonNode o = get("o" + i);
      assertThat(o.get("value").get("n").asInt()).isEqualTo(i);
      highest = Math.max(highest, o.get("revision").asLong());
    }
    assertThat(out.get("revision").asLong()).as("the highest revision written").isGreaterThanOrEqualTo(highest);
    assertThat(get("same").get("value").get("n").asInt()).as("the last line of 'same' wins").isEqualTo(199); // 199 % 7 == 3
    assertThat(get("same").get("version").asInt()).isEqualTo(29);
    // each version of 'same' is the next of its lines: versions 1..29 hold n = 3, 10, ..., 199 in order
    JsonNode history = Output.JSON.readTree(ok("-o", "json", "history", "imp", "same", "--limit", "100").out());
    List<Integer> ns = new ArrayList<>();
    for (JsonNode v : history.path("versions")) ns.add(v.path("value").path("n").asInt());
    assertThat(ns).hasSize(29);
    assertThat(ns.stream().sorted().toList()).as("history in line order").isIn(ns, ns.reversed());
  }

  /**
   * An error with batches in flight: nothing more is sent, and the message says exactly what was written, including
   * batches after the failed one that had been sent before its failure was known (checked against the store).
   */
  @Test
  void anErrorWithBatchesInFlightSaysExactlyWhatWasWritten() {
    List<String> in = new ArrayList<>(lines("fl", 40).lines().toList());
    in.set(12, "{\"key\":\"fl12\",\"value\":[1e999]}"); // line 13, in the second batch of 10
    Run r = aionIn(String.join("\n", in) + "\n", "import", "imp", "--batch-size", "10", "--in-flight", "4");
    CliIT.fails(r, ExitCode.ERROR, "batch of lines 11-20: line 13 (key 'fl12'): the value is sent as JSON");
    assertThat(r.err()).contains("; 10 keys before line 11 were written (1 batches)");
    assertThat(exists("fl9")).isTrue();
    assertThat(exists("fl10")).isFalse();
    for (int batch = 2; batch < 4; batch++) {
      String lines = (batch * 10 + 1) + "-" + (batch * 10 + 10);
      boolean said = r.err().matches("(?s).*after it, .*\\b" + lines + "\\b.* were also written.*");
      assertThat(exists("fl" + (batch * 10))).as("lines %s written, as the message says: %s", lines, r.err()).isEqualTo(said);
      assertThat(exists("fl" + (batch * 10 + 9))).isEqualTo(said);
    }

    // one in flight: nothing after the failed batch is sent
    List<String> one = new ArrayList<>(lines("fm", 40).lines().toList());
    one.set(12, "{\"key\":\"fm12\",\"value\":[1e999]}");
    Run r1 = aionIn(String.join("\n", one) + "\n", "import", "imp", "--batch-size", "10", "--in-flight", "1");
    CliIT.fails(r1, ExitCode.ERROR, "batch of lines 11-20");
    assertThat(r1.err()).contains("10 keys before line 11 were written (1 batches), none after");
    assertThat(exists("fm20")).isFalse();
  }

  @Test
  void malformedInputIsAUsageErrorNamingTheLine() {
    Run r = aionIn(lines("m", 3) + "{\"key\": \"m3\", \"value\": \n", "import", "imp");
    CliIT.fails(r, ExitCode.USAGE, "line 4 is not valid JSON");
    assertThat(r.err()).contains("nothing was written");
    assertThat(exists("m0")).isFalse(); // the first batch was not full yet: nothing was sent

    CliIT.fails(aionIn("{\"key\":\"x\"}\n", "import", "imp"), ExitCode.USAGE,
        "line 1 needs exactly one of 'value' (JSON), 'text' or 'valueBase64'");
    CliIT.fails(aionIn("{\"key\":\"x\",\"value\":1,\"ttl\":3}\n", "import", "imp"), ExitCode.USAGE,
        "line 1 has an unknown field 'ttl'");
    CliIT.fails(aion("import", "imp", "--batch-size", "10001"), ExitCode.USAGE, "--batch-size must be 1..10000");
    CliIT.fails(aion("import", "imp", "--in-flight", "0"), ExitCode.USAGE, "--in-flight must be 1..64");
    CliIT.fails(aion("import", "imp", dir.resolve("absent.jsonl").toString()), ExitCode.USAGE, "no such file");
    CliIT.fails(aionIn(lines("z", 2), "import", "no-such-ns"), ExitCode.NOT_FOUND,
        "batch of lines 1-2: namespace 'no-such-ns' does not exist");
  }
}
