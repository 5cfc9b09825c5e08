package io.aiondb.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.client.AuditChain;
import io.aiondb.server.service.Caller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log's file, chain and rotation, checked with the verifier users run ({@link AuditChain}). */
class AuditLogTest {
  private static final Caller ALICE = Caller.http("10.0.0.7", "cert:CN=alice");

  private static AuditLog open(Path file, long maxBytes, int maxFiles) throws Exception {
    return new AuditLog(file, null, maxBytes, maxFiles, "n1", Clock.systemUTC());
  }

  private static void write(AuditLog log, int from, int to) {
    for (int i = from; i < to; i++) {
      log.record(ALICE, "namespace.create", "namespace/ns" + i, i % 3 == 0 ? AuditLog.Outcome.failure
          : AuditLog.Outcome.success, i % 3 == 0 ? "NAMESPACE_EXISTS: namespace ns" + i + " exists" : null);
    }
    Awaitility.await().until(() -> log.written() >= to);
  }

  @Test
  void recordsAreChainedAndSayWhoDidWhatFromWhereWithWhatOutcome() throws Exception {
    Path file = Files.createTempDirectory("audit").resolve("audit.log");
    try (AuditLog log = open(file, 1 << 20, 3)) {
      write(log, 0, 5);
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0)).startsWith("{\"seq\":1,\"time\":\"").contains("\"node\":\"n1\"",
        "\"principal\":\"cert:CN=alice\"", "\"source\":\"10.0.0.7\"", "\"transport\":\"http\"",
        "\"operation\":\"namespace.create\"", "\"target\":\"namespace/ns0\"", "\"outcome\":\"failure\"",
        "\"detail\":\"NAMESPACE_EXISTS: namespace ns0 exists\"", "\"prev\":\"" + AuditLog.GENESIS + "\"");
    assertThat(lines.get(1)).contains("\"outcome\":\"success\"").doesNotContain("detail");
    var ok = AuditChain.verify(List.of(file));
    assertThat(ok.error()).isNull();
    assertThat(ok.records()).isEqualTo(5);
    assertThat(ok.anchor()).isEqualTo(AuditChain.GENESIS);
  }

  @Test
  void aTracedRequestsRecordNamesItsTraceAndSpan() throws Exception {
    Path file = Files.createTempDirectory("audit").resolve("audit.log");
    var span = io.opentelemetry.api.trace.Span.wrap(io.opentelemetry.api.trace.SpanContext.create(
        "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", io.opentelemetry.api.trace.TraceFlags.getSampled(),
        io.opentelemetry.api.trace.TraceState.getDefault()));
    try (AuditLog log = open(file, 1 << 20, 3)) {
      log.record(ALICE.traced(io.opentelemetry.context.Context.root().with(span)), "data.get", "vault/k",
          AuditLog.Outcome.success, null);
      log.record(ALICE, "data.get", "vault/k", AuditLog.Outcome.success, null);
      Awaitility.await().until(() -> log.written() >= 2);
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(0)).contains("\"traceId\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"00f067aa0ba902b7\"");
    assertThat(lines.get(1)).as("untraced").doesNotContain("traceId");
    assertThat(AuditChain.verify(List.of(file)).error()).isNull();
  }

  @Test
  void anAlteredInsertedRemovedOrMovedRecordBreaksTheChainThere() throws Exception {
    Path dir = Files.createTempDirectory("audit");
    Path file = dir.resolve("audit.log");
    try (AuditLog log = open(file, 1 << 20, 3)) {
      write(log, 0, 6);
    }
    List<String> lines = Files.readAllLines(file);
    List<List<String>> tampered = new ArrayList<>();
    List<String> altered = new ArrayList<>(lines);
    altered.set(2, altered.get(2).replace("\"outcome\":\"success\"", "\"outcome\":\"failure\""));
    tampered.add(altered);
    List<String> removed = new ArrayList<>(lines);
    removed.remove(3);
    tampered.add(removed);
    List<String> moved = new ArrayList<>(lines);
    moved.set(1, lines.get(2));
    moved.set(2, lines.get(1));
    tampered.add(moved);
    List<String> inserted = new ArrayList<>(lines);
    inserted.add(4, lines.get(4));
    tampered.add(inserted);
    List<String> rehashedAlone = new ArrayList<>(lines); // altered and its own hash recomputed: the next one notices
    String body = lines.get(2).substring(0, lines.get(2).lastIndexOf(",\"hash\":\"")).replace("ns2", "ns9") + "}";
    rehashedAlone.set(2, body.substring(0, body.length() - 1) + ",\"hash\":\""
        + AuditLog.sha256(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "\"}");
    tampered.add(rehashedAlone);
    String[] expected = {":3: the record does not match its hash", ":4: record 5 does not follow record 3",
        ":2: record 3 does not follow record 1", ":6: record 5 does not follow record 5", ":4: record 4 does not follow"};
    for (int i = 0; i < tampered.size(); i++) {
      Path f = dir.resolve("t" + i);
      Files.write(f, tampered.get(i));
      assertThat(AuditChain.verify(List.of(f)).error()).as("case %d", i).contains(f + expected[i]);
    }
  }

  @Test
  void rotationKeepsTheNewestFilesAndTheChainGoesOnAcrossThemAndAcrossARestart() throws Exception {
    Path dir = Files.createTempDirectory("audit");
    Path file = dir.resolve("audit.log");
    try (AuditLog log = open(file, 2_000, 2)) {
      write(log, 0, 30);
    }
    assertThat(dir.resolve("audit.log.1")).exists();
    assertThat(dir.resolve("audit.log.2")).exists();
    assertThat(dir.resolve("audit.log.3")).as("beyond max-files").doesNotExist();
    assertThat(Files.size(file)).isLessThanOrEqualTo(2_000);
    var kept = AuditChain.verify(List.of(dir.resolve("audit.log.2"), dir.resolve("audit.log.1"), file));
    assertThat(kept.error()).isNull();
    assertThat(kept.anchor()).as("the oldest kept file follows a deleted one").isNotEqualTo(AuditChain.GENESIS);
    long last = kept.records();

    try (AuditLog again = open(file, 2_000, 2)) { // a restarted node continues the chain and the numbering
      write(again, 0, 1);
    }
    String tail = Files.readAllLines(file).getLast();
    var after = AuditChain.verify(List.of(dir.resolve("audit.log.2"), dir.resolve("audit.log.1"), file));
    assertThat(after.error()).as("the new record follows the last one before the restart").isNull();
    assertThat(tail).startsWith("{\"seq\":31,");
    assertThat(after.records()).as("(a rotation may have dropped the oldest file)").isLessThanOrEqualTo(last + 1);
  }

  @Test
  void aLineCutByACrashStaysVisibleAndTheNextStartGoesOn() throws Exception {
    Path file = Files.createTempDirectory("audit").resolve("audit.log");
    try (AuditLog log = open(file, 1 << 20, 3)) {
      write(log, 0, 3);
    }
    Files.writeString(file, "{\"seq\":4,\"time\":\"2026", java.nio.file.StandardOpenOption.APPEND);
    try (AuditLog log = open(file, 1 << 20, 3)) {
      write(log, 0, 1);
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(5);
    assertThat(lines.get(4)).startsWith("{\"seq\":4,").contains("\"prev\":\"" + lines.get(2).substring(
        lines.get(2).lastIndexOf(":\"") + 2, lines.get(2).length() - 2) + "\"");
    assertThat(AuditChain.verify(List.of(file)).error()).contains(":4: not an audit record");
  }
}
