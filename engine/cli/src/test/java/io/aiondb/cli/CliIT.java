package io.aiondb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.server.AionServer;
import io.aiondb.server.config.ConfigLoader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a real server in this JVM: every command, its output, and its exit codes for bad input. */
class CliIT {
  @TempDir static Path dir;
  static AionServer server;
  static List<String> globals;

  @BeforeAll
  static void start() {
    server = AionServer.start(ConfigLoader.load(new String[] {"--http.port=0", "--raft.port=0", "--protocol.port=0",
        "--data.dir=" + dir.resolve("data"), "--storage.sync=false", "--shutdown.grace=2s"}, Map.of(), null));
    globals = List.of("--endpoints=127.0.0.1:" + server.protocolPort(), "--http=" + server.url(), "--timeout=10s");
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

  static JsonNode json(Run r) throws Exception {
    return Output.JSON.readTree(r.out());
  }

  static void fails(Run r, int exit, String errStart) {
    assertThat(r.exit()).as(r.toString()).isEqualTo(exit);
    assertThat(r.err()).as(r.toString()).startsWith("error: " + errStart).doesNotContain("\tat ");
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
  }

  @Test
  void namespaces() throws Exception {
    assertThat(ok("ns", "create", "ns1").out()).isEqualTo("created namespace ns1\n");
    assertThat(ok("ns", "create", "ns1").out()).isEqualTo("namespace ns1 already exists\n");
    assertThat(ok("ns", "list").out()).startsWith("NAME\n").contains("ns1\n");
    assertThat(json(ok("ns", "list", "-o", "json")).path("namespaces").toString()).contains("\"ns1\"");
    fails(aion("ns", "drop", "ns1"), ExitCode.USAGE, "dropping namespace 'ns1' deletes all its keys");
    assertThat(json(ok("-o", "json", "ns", "drop", "ns1", "--yes")).toString()).isEqualTo("{\"name\":\"ns1\",\"dropped\":true}");
    assertThat(ok("ns", "list").out()).doesNotContain("ns1");
    fails(aion("ns", "create", "Bad Name!"), ExitCode.ERROR, "");
    assertThat(aion("ns", "create", "Bad Name!").err()).contains("(INVALID_NAMESPACE)");
  }

  @Test
  void putGetDeleteHistory(@TempDir Path tmp) throws Exception {
    ok("ns", "create", "kv");
    Run put = ok("put", "kv", "user/1", "{\"name\":\"Ann\",\"age\":34}", "--type", "json");
    assertThat(put.out()).startsWith("REVISION  VERSION  CREATE_REVISION  TIMESTAMP\n");
    long r1 = json(ok("-o", "json", "put", "kv", "user/1", "{\"name\":\"Ann\",\"age\":35}", "-t", "json")).path("revision").asLong();
    assertThat(ok("get", "kv", "user/1").out()).isEqualTo("{\"name\":\"Ann\",\"age\":35}\n");
    JsonNode g = json(ok("get", "kv", "user/1", "-o", "json"));
    assertThat(g.path("value").path("age").asInt()).isEqualTo(35);
    assertThat(g.path("contentType").asText()).isEqualTo("application/json");
    assertThat(g.path("revision").asLong()).isEqualTo(r1);
    assertThat(g.path("version").asLong()).isEqualTo(2);
    assertThat(ok("get", "kv", "user/1", "--revision", Long.toString(r1 - 1)).out()).contains("\"age\":34");
    assertThat(ok("get", "kv", "user/1", "--stale").out()).contains("\"age\":35");

    // compare-and-set: the right revision writes, a stale one is a conflict (4) and writes nothing
    ok("put", "kv", "user/1", "{\"name\":\"Ann\",\"age\":36}", "-t", "json", "--if-revision", Long.toString(r1));
    fails(aion("put", "kv", "user/1", "{\"age\":99}", "-t", "json", "--if-revision", Long.toString(r1)),
        ExitCode.CONFLICT, "expected mod revision " + r1);
    assertThat(aion("put", "kv", "user/1", "x", "--if-revision", "0").err()).contains("(REVISION_MISMATCH)");
    assertThat(ok("get", "kv", "user/1").out()).contains("\"age\":36");

    // values from stdin and from a file, text and binary
    ok("put", "kv", "note");
    assertThat(aionIn("hello from stdin", "put", "kv", "note").exit()).isZero();
    assertThat(ok("get", "kv", "note").out()).isEqualTo("hello from stdin\n");
    Path bin = tmp.resolve("v.bin");
    Files.write(bin, new byte[] {0, 1, 2, (byte) 0xFF});
    ok("put", "kv", "blob", "--file", bin.toString(), "--type", "binary");
    assertThat(ok("get", "kv", "blob").rawOut()).containsExactly(0, 1, 2, 0xFF);
    assertThat(json(ok("get", "kv", "blob", "-o", "json")).path("valueBase64").asText()).isEqualTo("AAEC/w==");

    // bad input: documented codes, one line
    fails(aion("get", "kv", "nope"), ExitCode.NOT_FOUND, "key 'nope' does not exist in namespace 'kv' (KEY_NOT_FOUND)");
    fails(aion("get", "missing-ns", "k"), ExitCode.NOT_FOUND, "namespace 'missing-ns' does not exist");
    fails(aion("put", "kv", "j", "{broken", "--type", "json"), ExitCode.USAGE, "the value (--type json) is not valid JSON: ");
    Files.write(tmp.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
    fails(aion("put", "kv", "t", "--file", tmp.resolve("latin1.txt").toString()), ExitCode.USAGE,
        "the value is not UTF-8 text: store it with --type binary");
    fails(aion("put", "kv", "", "x"), ExitCode.ERROR, "");
    assertThat(aion("put", "kv", "", "x").err()).contains("(INVALID_KEY)");
    fails(aion("put", "kv", "f", "--file", tmp.resolve("missing").toString()), ExitCode.USAGE, "no such file: ");

    // delete and history
    assertThat(ok("del", "kv", "note").out()).startsWith("DELETED  REVISION\ntrue");
    assertThat(json(ok("del", "kv", "note", "-o", "json")).path("deleted").asBoolean()).isFalse();
    String h = ok("history", "kv", "note").out();
    assertThat(h).startsWith("REVISION  VERSION  TIMESTAMP");
    assertThat(h.lines().skip(1).toList()).hasSize(3);
    assertThat(h.lines().skip(1).findFirst().orElseThrow()).endsWith("(deleted)");
    assertThat(h).contains("hello from stdin");
    JsonNode hj = json(ok("history", "kv", "user/1", "--limit", "2", "-o", "json"));
    assertThat(hj.path("versions")).hasSize(2);
    assertThat(hj.path("versions").get(0).path("value").path("age").asInt()).isEqualTo(36);
    assertThat(hj.path("nextBefore").asLong()).isEqualTo(hj.path("versions").get(1).path("revision").asLong());
    assertThat(ok("history", "kv", "user/1", "--limit", "1").out()).contains("(more: --before ");
    assertThat(ok("history", "kv", "never-written").out()).isEqualTo("(no versions of never-written)\n");
  }

  @Test
  void queries() throws Exception {
    ok("ns", "create", "q");
    ok("put", "q", "user/1", "{\"name\":\"Ann\",\"age\":36}", "-t", "json");
    ok("put", "q", "user/2", "{\"name\":\"Bo\",\"age\":27}", "-t", "json");
    ok("put", "q", "other", "x");
    String t = ok("query", "q", "{\"prefix\":\"user/\",\"where\":[{\"field\":\"$.age\",\"op\":\"gte\",\"value\":30}]}").out();
    assertThat(t).startsWith("KEY     REVISION  VALUE\nuser/1  ").contains("{\"name\":\"Ann\",\"age\":36}")
        .contains("(1 row at revision ").doesNotContain("user/2");
    assertThat(ok("query", "q").out()).contains("(3 rows at revision ");

    // paging: the cursor a page prints fetches the next
    Run p1 = ok("query", "q", "{\"prefix\":\"user/\",\"limit\":1,\"keysOnly\":true}");
    assertThat(p1.out()).startsWith("KEY     REVISION\nuser/1");
    String cursor = p1.out().replaceAll("(?s).*--cursor (\\S+)\\).*", "$1");
    Run p2 = ok("query", "q", "{\"prefix\":\"user/\",\"limit\":1,\"keysOnly\":true}", "--cursor", cursor);
    assertThat(p2.out()).contains("user/2").doesNotContain("--cursor");

    JsonNode j = json(ok("-o", "json", "query", "q", "{\"prefix\":\"user/\"}"));
    assertThat(j.path("items")).hasSize(2);
    assertThat(j.path("cursor").isNull()).isTrue();
    assertThat(ok("query", "q", "{\"prefix\":\"user/\",\"explain\":true}").out()).startsWith("plan at revision");
    Run fromStdin = aionIn("{\"prefix\":\"other\"}", "query", "q", "--file", "-");
    assertThat(fromStdin.out()).contains("other").contains("(1 row");

    fails(aion("query", "q", "{\"where\":[{\"field\":\"age\"}]}"), ExitCode.ERROR, "field path 'age' must start with $");
    fails(aion("query", "q", "{\"prefix\":"), ExitCode.USAGE, "the query is not valid JSON");
    fails(aion("query", "nowhere", "{}"), ExitCode.NOT_FOUND, "namespace 'nowhere' does not exist");
  }

  @Test
  void transactions(@TempDir Path tmp) throws Exception {
    ok("ns", "create", "bank");
    long alice = json(ok("-o", "json", "put", "bank", "alice", "{\"balance\":100}", "-t", "json")).path("revision").asLong();
    long bob = json(ok("-o", "json", "put", "bank", "bob", "{\"balance\":20}", "-t", "json")).path("revision").asLong();
    String transfer = """
        {"namespace": "bank",
         "compare": [{"key": "alice", "target": "modRevision", "op": "eq", "value": %d},
                     {"key": "bob", "target": "modRevision", "op": "eq", "value": %d}],
         "success": [{"op": "put", "key": "alice", "value": {"balance": 70}},
                     {"op": "put", "key": "bob", "value": {"balance": 50}}],
         "failure": [{"op": "get", "key": "alice"}, {"op": "range", "prefix": "", "limit": 10}]}
        """.formatted(alice, bob);
    Path file = tmp.resolve("transfer.json");
    Files.writeString(file, transfer);

    Run first = ok("txn", "--file", file.toString());
    assertThat(first.out()).startsWith("succeeded at revision ").contains("1  put  bank       alice  revision ");
    assertThat(ok("get", "bank", "bob").out()).isEqualTo("{\"balance\":50}\n");

    // the same transaction again: the compares fail, the failure branch's reads print, exit 4, nothing written
    Run again = aion("txn", "--file", file.toString());
    fails(again, ExitCode.CONFLICT, "the transaction's compares did not hold");
    assertThat(again.out()).startsWith("compare failed: ran the failure branch").contains("{\"balance\":70}");
    Run againJson = aionIn(transfer, "-o", "json", "txn", "-f", "-");
    assertThat(againJson.exit()).isEqualTo(ExitCode.CONFLICT);
    JsonNode r = json(againJson);
    assertThat(r.path("succeeded").asBoolean()).isFalse();
    assertThat(r.path("results").get(1).path("items")).hasSize(2);
    assertThat(ok("get", "bank", "alice").out()).isEqualTo("{\"balance\":70}\n");

    fails(aionIn("{\"compare\": [{\"key\": \"a\"}]}", "txn", "-f", "-"), ExitCode.USAGE,
        "invalid transaction: every transaction item needs a namespace");
    fails(aionIn("not json", "txn", "-f", "-"), ExitCode.USAGE, "the transaction is not valid JSON");
    fails(aionIn("{\"namespace\": \"nowhere\", \"success\": [{\"op\": \"put\", \"key\": \"k\", \"text\": \"v\"}]}", "txn", "-f", "-"),
        ExitCode.NOT_FOUND, "namespace 'nowhere' does not exist");
  }

  @Test
  void watchPrintsOneLinePerEventUntilStopped() throws Exception {
    ok("ns", "create", "w");
    long from = json(ok("-o", "json", "put", "w", "a/0", "before")).path("revision").asLong() + 1;
    ByteArrayOutputStream tableOut = new ByteArrayOutputStream();
    AtomicReference<Integer> tableExit = new AtomicReference<>();
    AtomicReference<Run> jsonLines = new AtomicReference<>();
    List<String> tableArgs = new ArrayList<>(globals);
    tableArgs.addAll(List.of("watch", "w", "--prefix", "a/", "--from-revision", Long.toString(from)));
    Thread t1 = Thread.ofPlatform().start(() -> tableExit.set(AionCli.run(tableArgs.toArray(String[]::new),
        new ByteArrayInputStream(new byte[0]), new PrintStream(tableOut, true, StandardCharsets.UTF_8), System.err, Map.of())));
    Thread t2 = Thread.ofPlatform().start(() -> jsonLines.set(aion("-o", "json", "watch", "w", "--key", "a/1",
        "--from-revision", Long.toString(from), "--max-events", "2")));
    ok("put", "w", "a/1", "{\"n\":1}", "-t", "json");
    ok("put", "w", "b/1", "not watched");
    ok("put", "w", "a/2", "two");
    ok("del", "w", "a/1");
    t2.join(Duration.ofSeconds(20)); // --max-events 2: ends by itself
    assertThat(jsonLines.get()).as("the json watch ended").isNotNull();
    assertThat(jsonLines.get().exit()).isZero();
    List<String> lines = jsonLines.get().out().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(Output.JSON.readTree(lines.get(0)).path("value").path("n").asInt()).isEqualTo(1);
    assertThat(Output.JSON.readTree(lines.get(1)).path("type").asText()).isEqualTo("delete");

    List<String> expected = List.of(
        from + "  put  a/1  {\"n\":1}",
        (from + 2) + "  put  a/2  two",
        (from + 3) + "  delete  a/1");
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> tableOut.toString(StandardCharsets.UTF_8).lines().toList().equals(expected));
    assertThat(t1.isAlive()).as("the table watch runs until stopped (Ctrl-C; here an interrupt)").isTrue();
    t1.interrupt();
    t1.join(Duration.ofSeconds(10));
    assertThat(t1.isAlive()).isFalse();
    assertThat(tableExit.get()).isZero();
    assertThat(tableOut.toString(StandardCharsets.UTF_8).lines().toList()).isEqualTo(expected);

    Run missing = aion("watch", "nowhere", "--prefix", "");
    assertThat(missing.exit()).as(missing.toString()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(missing.err()).contains("namespace 'nowhere' does not exist");
  }

  @Test
  void clusterAndIndexesOverHttp() throws Exception {
    String members = ok("cluster", "members").out();
    assertThat(members).startsWith("leader: aion-1  term: ").contains("ID      ROLE    VOTING").contains("aion-1  LEADER");
    JsonNode m = json(ok("-o", "json", "cluster", "members"));
    assertThat(m.path("members").get(0).path("id").asText()).isEqualTo("aion-1");
    assertThat(ok("cluster", "health").out()).startsWith("quorum: true  leader: aion-1  voters: 1  healthy voters: 1");
    assertThat(json(ok("cluster", "health", "--member", "aion-1", "-o", "json")).path("member").asText()).isEqualTo("aion-1");
    assertThat(ok("cluster", "transfer-leader", "aion-1").out()).startsWith("aion-1 already leads (nothing changed)");
    fails(aion("cluster", "transfer-leader", "nobody"), ExitCode.NOT_FOUND, "'nobody' is not a member");

    // Indexes: the routes may not exist on this server yet; then the server's 404 message is printed, exit 3.
    ok("ns", "create", "ix");
    Run create = aion("index", "create", "ix", "by-age", "--field", "$.age", "--type", "number");
    if (create.exit() == ExitCode.NOT_FOUND) {
      fails(create, ExitCode.NOT_FOUND, "no route for PUT /v1/namespaces/ix/indexes/by-age");
      fails(aion("index", "list", "ix"), ExitCode.NOT_FOUND, "no route for GET /v1/namespaces/ix/indexes");
      return;
    }
    assertThat(create.exit()).as(create.toString()).isZero();
    assertThat(create.out()).startsWith("FIELD").contains("by-age");
    assertThat(ok("index", "list", "ix").out()).contains("by-age").contains("$.age");
    assertThat(json(ok("index", "list", "ix", "-o", "json")).toString()).contains("by-age");
    ok("index", "drop", "ix", "by-age");
    fails(aion("index", "drop", "ix", "by-age"), ExitCode.NOT_FOUND, "");
    fails(aion("index", "list", "nowhere"), ExitCode.NOT_FOUND, "namespace 'nowhere' does not exist");
  }

  @Test
  void unreachableServersExitFive() {
    Run p = Run.aion("--endpoints=127.0.0.1:1", "--timeout=1s", "get", "kv", "k");
    fails(p, ExitCode.UNAVAILABLE, "cannot connect to 127.0.0.1:1");
    Run h = Run.aion("--http=http://127.0.0.1:1", "--timeout=1s", "cluster", "members");
    fails(h, ExitCode.UNAVAILABLE, "cannot connect to http://127.0.0.1:1");
    assertThat(new String(p.rawOut(), StandardCharsets.UTF_8)).isEmpty();
  }
}
