package io.aiondb.server.state;

import static io.aiondb.server.state.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.ErrorCode;
import io.aiondb.server.consensus.raft.ApplyResultCodec;
import io.aiondb.server.storage.Cf;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.IndexDef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;

/**
 * "apply never throws for a command that was accepted": a log holding every kind of command that apply rejects —
 * failed preconditions, a transaction whose reads exceed their budget after it wrote to its batch, and a command
 * that makes apply fail with an exception — is applied on three replicas; every replica returns the same results,
 * records every entry as applied, keeps none of the rejected entries' partial writes, and ends with the same RocksDB
 * contents byte for byte, column family by column family.
 */
class RejectedEntriesReplayTest {
  @TempDir Path r1;
  @TempDir Path r2;
  @TempDir Path r3;

  /** A defect stand-in: a put to the key "boom" writes to its batch, then apply fails. */
  static EntryApplier.Applier failingOnBoom(EntryApplier.Applier real) {
    return (entry, batch) -> {
      ApplyResult r = real.apply(entry, batch);
      if (entry.command() instanceof Command.Put p && new String(p.key()).equals("boom")) {
        throw new NumberFormatException("Infinite or NaN"); // what 1e999 did inside index maintenance
      }
      return r;
    };
  }

  static List<Command> log() {
    byte[] big = new byte[3 << 20]; // two of these are more than a transaction may read
    List<Command> cmds = new ArrayList<>();
    cmds.add(new Command.CreateNamespace("app"));
    cmds.add(new Command.Put("missing", b("k"), b("v"), ContentType.TEXT, -1)); // NAMESPACE_NOT_FOUND
    cmds.add(new Command.CreateIndex("app", "by-age", "$.age", IndexDef.Type.NUMBER, false));
    cmds.add(new Command.CreateIndex("app", "email", "$.email", IndexDef.Type.STRING, true));
    cmds.add(new Command.CreateIndex("app", "by-age", "$.other", IndexDef.Type.STRING, false)); // INDEX_EXISTS
    cmds.add(new Command.BackfillIndex("app", "nope", 1, 10)); // INDEX_NOT_FOUND
    cmds.add(new Command.Put("app", b("u1"), b("{\"age\":30,\"email\":\"a@x\"}"), ContentType.JSON, -1));
    cmds.add(new Command.Put("app", b("u2"), b("{\"age\":31,\"email\":\"a@x\"}"), ContentType.JSON, -1)); // UNIQUE
    cmds.add(new Command.Put("app", b("u1"), b("{}"), ContentType.JSON, 0)); // REVISION_MISMATCH (exists)
    cmds.add(new Command.Put("app", b("u3"), b("{}"), ContentType.JSON, 99)); // REVISION_MISMATCH (absent)
    cmds.add(new Command.Delete("app", b("u1"), 0)); // a delete cannot expect 0
    // a value stored before validation refused non-finite numbers: indexed, not a failure
    cmds.add(new Command.Put("app", b("legacy"), b("{\"age\":1e999}"), ContentType.JSON, -1));
    cmds.add(new Command.Put("app", b("boom"), b("{\"age\":5}"), ContentType.JSON, -1)); // fails inside apply
    cmds.add(new Command.Put("app", b("big1"), big, ContentType.OCTET_STREAM, -1));
    cmds.add(new Command.Put("app", b("big2"), big, ContentType.OCTET_STREAM, -1));
    // writes first, then reads over the budget: the whole transaction is rejected, its put is not kept
    cmds.add(new Command.Txn(List.of(), List.of(new TxnOp.Put("app", b("partial"), b("x"), ContentType.TEXT),
        new TxnOp.Get("app", b("big1")), new TxnOp.Get("app", b("big2"))), List.of()));
    for (int i = 0; i < KvStateMachine.RANGE_MAX_EXAMINED + 5; i++) {
      cmds.add(new Command.Put("app", b(String.format("t/%06d", i)), b("x"), ContentType.TEXT, -1));
    }
    cmds.add(new Command.Txn(List.of(), List.of(new TxnOp.Range("app", b("t/"), b("t0"), 10)), List.of())); // fine
    for (int i = 0; i < KvStateMachine.RANGE_MAX_EXAMINED + 5; i++) {
      cmds.add(new Command.Delete("app", b(String.format("t/%06d", i)), -1));
    }
    // a range over nothing but tombstones, past the examined budget, after a write in the same branch
    cmds.add(new Command.Txn(List.of(), List.of(new TxnOp.Put("app", b("partial2"), b("x"), ContentType.TEXT),
        new TxnOp.Range("app", b("t/"), b("t0"), 10)), List.of()));
    cmds.add(new Command.DropIndex("app", "email"));
    cmds.add(new Command.Put("app", b("after"), b("{\"age\":1}"), ContentType.JSON, -1));
    return cmds;
  }

  private record Replica(List<String> results, List<String> contents, long appliedIndex) {}

  private static Replica run(Path dir, List<Command> cmds) {
    try (StoreHarness h = new StoreHarness(dir, 1 << 20, RejectedEntriesReplayTest::failingOnBoom)) {
      List<String> results = new ArrayList<>();
      long ts = 1_000;
      for (Command c : cmds) {
        ApplyResult r = h.apply(c, ts++);
        results.add(HexFormat.of().formatHex(ApplyResultCodec.encode(r)));
      }
      List<String> contents = new ArrayList<>();
      try (ReadOptions ro = new ReadOptions()) {
        for (Cf cf : Cf.values()) {
          try (RocksIterator it = h.store.newIterator(cf, ro)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
              contents.add(cf + " " + HexFormat.of().formatHex(it.key()) + " " + HexFormat.of().formatHex(it.value()));
            }
          }
        }
      }
      return new Replica(results, contents, h.store.appliedIndex());
    }
  }

  @Test
  void threeReplicasRejectTheSameEntriesTheSameWayAndHoldTheSameBytes() {
    List<Command> cmds = log();
    Replica a = run(r1, cmds);
    Replica b = run(r2, cmds);
    Replica c = run(r3, cmds);
    assertThat(b.results()).isEqualTo(a.results());
    assertThat(c.results()).isEqualTo(a.results());
    assertThat(b.contents()).isEqualTo(a.contents());
    assertThat(c.contents()).isEqualTo(a.contents());
    assertThat(a.appliedIndex()).as("every entry, rejected or not, is recorded as applied").isEqualTo(cmds.size());

    List<ApplyResult> decoded = a.results().stream().map(h -> ApplyResultCodec.decode(HexFormat.of().parseHex(h))).toList();
    List<ErrorCode> rejections = decoded.stream()
        .filter(r -> r instanceof ApplyResult.Rejected).map(r -> ((ApplyResult.Rejected) r).code()).toList();
    assertThat(rejections).containsExactly(ErrorCode.NAMESPACE_NOT_FOUND, ErrorCode.INDEX_EXISTS,
        ErrorCode.INDEX_NOT_FOUND, ErrorCode.UNIQUE_VIOLATION, ErrorCode.REVISION_MISMATCH, ErrorCode.REVISION_MISMATCH,
        ErrorCode.BAD_REQUEST, ErrorCode.INTERNAL, ErrorCode.RESPONSE_TOO_LARGE, ErrorCode.RESPONSE_TOO_LARGE);
    assertThat(decoded.get(11)).as("a legacy infinite number is stored, not a failure").isInstanceOf(ApplyResult.Written.class);
    assertThat(decoded.getLast()).as("the replica keeps applying after the failures").isInstanceOf(ApplyResult.Written.class);

    String contents = String.join("\n", a.contents());
    for (String absent : List.of("boom", "partial", "partial2")) {
      assertThat(contents).as("no partial write of a rejected entry survives: " + absent)
          .doesNotContain(HexFormat.of().formatHex(b(absent)));
    }
  }
}
