package io.aiondb.server.state;

import static io.aiondb.server.state.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.ErrorCode;
import io.aiondb.server.consensus.raft.ApplyResultCodec;
import io.aiondb.server.storage.Cf;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.RocksStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;

/**
 * Command batching must not change what a command does: the log of {@link RejectedEntriesReplayTest} (every kind of
 * rejection, a failure inside apply after writing, transactions over their read budget) applied with the commands
 * grouped into batched entries gives, command by command, the same results as applied one per entry, and the same
 * stored keys, versions, change feed and indexes. Only the log positions differ (fewer entries).
 */
class BatchedApplyTest {
  @TempDir Path single;
  @TempDir Path batched;
  @TempDir Path other;

  private record Outcome(List<String> results, List<String> contents) {}

  /** Applies {@code cmds} in entries of up to {@code batch} commands (exclusive ones alone); one timestamp for all. */
  private static Outcome run(Path dir, List<Command> cmds, int batch) {
    try (StoreHarness h = new StoreHarness(dir, 1 << 20, RejectedEntriesReplayTest::failingOnBoom)) {
      List<ApplyResult> results = new ArrayList<>();
      List<EntryApplier.Item> pending = new ArrayList<>();
      for (Command c : cmds) {
        if (c.exclusive() || pending.size() == batch) {
          flush(h, pending, results);
        }
        if (c.exclusive()) {
          results.add(h.apply(c, 1_000));
        } else {
          pending.add(EntryApplier.Item.of(c));
        }
      }
      flush(h, pending, results);
      return new Outcome(results.stream().map(r -> HexFormat.of().formatHex(ApplyResultCodec.encode(withoutIndex(r))))
          .toList(), contents(h.store));
    }
  }

  /** A failure's message names its log index, which batching changes (fewer entries): compared without it. */
  private static ApplyResult withoutIndex(ApplyResult r) {
    return r instanceof ApplyResult.Rejected rej && rej.code() == ErrorCode.INTERNAL
        ? new ApplyResult.Rejected(rej.code(), rej.message().replaceAll("log index \\d+", "log index N")) : r;
  }

  private static void flush(StoreHarness h, List<EntryApplier.Item> pending, List<ApplyResult> results) {
    if (pending.isEmpty()) return;
    if (pending.size() == 1) {
      results.add(h.apply(pending.get(0).command(), 1_000));
    } else {
      results.addAll(h.applyAll(List.copyOf(pending), 1_000));
    }
    pending.clear();
  }

  /** Every stored key and value, except the applied index and term (which count entries, not commands). */
  private static List<String> contents(RocksStore store) {
    List<String> out = new ArrayList<>();
    try (ReadOptions ro = new ReadOptions()) {
      for (Cf cf : Cf.values()) {
        try (RocksIterator it = store.newIterator(cf, ro)) {
          for (it.seekToFirst(); it.isValid(); it.next()) {
            if (cf == Cf.META && (Arrays.equals(it.key(), RocksStore.APPLIED_INDEX)
                || Arrays.equals(it.key(), RocksStore.APPLIED_TERM))) {
              continue;
            }
            out.add(cf + " " + HexFormat.of().formatHex(it.key()) + " " + HexFormat.of().formatHex(it.value()));
          }
        }
      }
    }
    return out;
  }

  private static List<Command> log() {
    List<Command> cmds = new ArrayList<>();
    cmds.add(new Command.CreateNamespace("app"));
    cmds.add(new Command.Put("app", b("a"), b("1"), ContentType.TEXT, -1));
    cmds.add(new Command.Put("app", b("a"), b("2"), ContentType.TEXT, -1)); // sees the write before it in the batch
    cmds.add(new Command.Put("app", b("a"), b("3"), ContentType.TEXT, 2)); // expects the revision written just before
    cmds.add(new Command.Put("app", b("a"), b("x"), ContentType.TEXT, 2)); // REVISION_MISMATCH: now at 3
    cmds.add(new Command.Put("app", b("boom"), b("{\"age\":5}"), ContentType.JSON, -1)); // fails inside apply
    cmds.add(new Command.Put("app", b("b"), b("next"), ContentType.TEXT, 0)); // create-only, absent: fine
    cmds.add(new Command.Put("app", b("b"), b("again"), ContentType.TEXT, 0)); // create-only, exists now: rejected
    cmds.add(new Command.Delete("app", b("a"), -1));
    cmds.add(new Command.Txn(List.of(), List.of(new TxnOp.Put("app", b("t1"), b("x"), ContentType.TEXT),
        new TxnOp.Put("app", b("t2"), b("y"), ContentType.TEXT)), List.of()));
    cmds.add(new Command.Txn(List.of(Compare.value("app", b("t1"), Compare.Op.EQ, b("x"))),
        List.of(new TxnOp.Delete("app", b("t2"))), List.of()));
    cmds.addAll(RejectedEntriesReplayTest.log());
    cmds.add(new Command.Put("app", b("last"), b("z"), ContentType.TEXT, -1));
    return cmds;
  }

  @Test
  void batchedEntriesGiveEachCommandTheResultAndEffectItHasAlone() {
    List<Command> cmds = log();
    Outcome alone = run(single, cmds, 1);
    Outcome inBatches = run(batched, cmds, 7);
    Outcome bigBatches = run(other, cmds, 1000);
    assertThat(inBatches.results()).isEqualTo(alone.results());
    assertThat(bigBatches.results()).isEqualTo(alone.results());
    assertThat(inBatches.contents()).isEqualTo(alone.contents());
    assertThat(bigBatches.contents()).isEqualTo(alone.contents());

    List<ApplyResult> decoded = alone.results().stream()
        .map(h -> ApplyResultCodec.decode(HexFormat.of().parseHex(h))).toList();
    assertThat(((ApplyResult.Rejected) decoded.get(4)).code()).isEqualTo(ErrorCode.REVISION_MISMATCH);
    assertThat(((ApplyResult.Rejected) decoded.get(5)).code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(decoded.get(6)).as("the neighbour after a failed command is applied").isInstanceOf(ApplyResult.Written.class);
    assertThat(((ApplyResult.Rejected) decoded.get(7)).code()).isEqualTo(ErrorCode.REVISION_MISMATCH);
    String contents = String.join("\n", alone.contents());
    assertThat(contents).doesNotContain(HexFormat.of().formatHex(b("boom")));
  }

  @Test
  void aCommandTheLeaderRefusedIsAnsweredInItsPlaceAndWritesNothing() {
    try (StoreHarness h = new StoreHarness(single)) {
      h.apply(new Command.CreateNamespace("app"), 1);
      List<ApplyResult> r = h.applyAll(List.of(
          EntryApplier.Item.of(new Command.Put("app", b("k1"), b("v"), ContentType.TEXT, -1)),
          new EntryApplier.Item(null, new ApplyResult.Rejected(ErrorCode.INVALID_JSON, "bad value at /age")),
          EntryApplier.Item.of(new Command.Put("app", b("k2"), b("v"), ContentType.TEXT, -1))), 2);
      assertThat(r).hasSize(3);
      assertThat(((ApplyResult.Written) r.get(0)).revision()).isEqualTo(1);
      assertThat(r.get(1)).isEqualTo(new ApplyResult.Rejected(ErrorCode.INVALID_JSON, "bad value at /age"));
      assertThat(((ApplyResult.Written) r.get(2)).revision()).as("the refused command took no revision").isEqualTo(2);
      assertThat(h.store.appliedIndex()).as("one entry").isEqualTo(2);
    }
  }
}
