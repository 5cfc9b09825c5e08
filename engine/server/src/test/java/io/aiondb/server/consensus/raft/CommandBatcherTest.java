package io.aiondb.server.consensus.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.CommandCodec;
import io.aiondb.server.storage.ContentType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batcher alone, with a sender the test answers by hand: what forms a proposal, and how results fan out. */
class CommandBatcherTest {
  /** Proposals as the sender received them (decoded into command lists), each with the future the test completes. */
  private record Sent(List<Command> commands, CompletableFuture<byte[]> reply) {}

  private final List<Sent> sent = new ArrayList<>();
  private final AtomicInteger inFlightLimit = new AtomicInteger(1);
  private CommandBatcher batcher;

  private CommandBatcher batcher(int maxCommands, long maxBytes) {
    batcher = new CommandBatcher("test-proposer", (proposal, traces) -> {
      List<Command> cmds = EntryCodec.isBatchProposal(proposal)
          ? EntryCodec.decodeProposal(proposal).stream().map(CommandCodec::decode).toList()
          : List.of(CommandCodec.decode(proposal));
      CompletableFuture<byte[]> f = new CompletableFuture<>();
      synchronized (sent) {
        sent.add(new Sent(cmds, f));
        sent.notifyAll();
      }
      return f;
    }, Runnable::run, maxCommands, maxBytes, inFlightLimit::get);
    return batcher;
  }

  @AfterEach
  void close() {
    if (batcher != null) batcher.close();
  }

  private static Command put(String key, int valueBytes) {
    return new Command.Put("ns", key.getBytes(StandardCharsets.UTF_8), new byte[valueBytes], ContentType.OCTET_STREAM, -1);
  }

  private CompletableFuture<ApplyResult> submit(Command c) {
    return batcher.submit(c, CommandCodec.encode(c));
  }

  private int sentCount() {
    synchronized (sent) {
      return sent.size();
    }
  }

  private Sent awaitSent(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    synchronized (sent) {
      while (sent.size() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) throw new AssertionError("only " + sent.size() + " proposals, expected " + n);
        sent.wait(Math.max(1, left / 1_000_000));
      }
      return sent.get(n - 1);
    }
  }

  private static ApplyResult written(long rev) {
    return new ApplyResult.Written(rev, rev, 1, 0);
  }

  private static byte[] results(ApplyResult... rs) {
    return ApplyResultCodec.encodeAll(List.of(rs));
  }

  private static List<String> keys(Sent s) {
    return s.commands().stream().map(c -> new String(((Command.Put) c).key(), StandardCharsets.UTF_8)).toList();
  }

  @Test
  void aLoneCommandIsProposedAtOnceAndWhatQueuesMeanwhileFormsTheNextEntryInOrder() throws Exception {
    batcher(256, 1 << 20);
    CompletableFuture<ApplyResult> first = submit(put("a", 10));
    Sent s1 = awaitSent(1);
    assertThat(keys(s1)).containsExactly("a");
    // while "a" is in flight (limit 1), three more queue and go together, in submission order
    CompletableFuture<ApplyResult> b = submit(put("b", 10));
    CompletableFuture<ApplyResult> c = submit(put("c", 10));
    CompletableFuture<ApplyResult> d = submit(put("d", 10));
    // nothing more is sent while one proposal is in flight (the limit), however long it takes
    org.awaitility.Awaitility.await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2))
        .until(() -> sentCount() == 1);
    s1.reply().complete(ApplyResultCodec.encode(written(1)));
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(written(1));
    Sent s2 = awaitSent(2);
    assertThat(keys(s2)).containsExactly("b", "c", "d");
    s2.reply().complete(results(written(2), new ApplyResult.Rejected(ErrorCode.REVISION_MISMATCH, "no"), written(3)));
    assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo(written(2));
    assertThatThrownBy(() -> c.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(AionException.class).hasMessage("no");
    assertThat(d.get(5, TimeUnit.SECONDS)).as("a rejected neighbour does not affect it").isEqualTo(written(3));
  }

  @Test
  void boundsByCountAndBytesAndExclusiveCommandsGoAlone() throws Exception {
    batcher(3, 250);
    submit(put("hold", 1));
    Sent hold = awaitSent(1);
    for (String k : List.of("a", "b", "c", "d")) submit(put(k, 10)); // count bound 3: a b c | d
    submit(new Command.Compact("ns", new byte[0], 10, 1, 0)); // exclusive: alone
    submit(put("e", 10));
    submit(put("big1", 100)); // bytes bound 250: e big1 | big2 (3 x ~120 bytes encoded > 250)
    submit(put("big2", 100));
    inFlightLimit.set(100);
    hold.reply().complete(ApplyResultCodec.encode(written(1)));
    awaitSent(6);
    assertThat(keys(sent.get(1))).containsExactly("a", "b", "c");
    assertThat(keys(sent.get(2))).containsExactly("d");
    assertThat(sent.get(3).commands()).singleElement().isInstanceOf(Command.Compact.class);
    assertThat(keys(sent.get(4))).containsExactly("e", "big1");
    assertThat(keys(sent.get(5))).containsExactly("big2");
    assertThat(batcher.proposals()).isEqualTo(6);
    assertThat(batcher.commands()).isEqualTo(9);
  }

  @Test
  void aProposalThatFailsFailsEachOfItsCommandsAndTheNextOneStillGoes() throws Exception {
    batcher(256, 1 << 20);
    CompletableFuture<ApplyResult> a = submit(put("a", 1));
    Sent s1 = awaitSent(1);
    CompletableFuture<ApplyResult> b = submit(put("b", 1));
    CompletableFuture<ApplyResult> c = submit(put("c", 1));
    s1.reply().completeExceptionally(new AionException(ErrorCode.TIMEOUT, "outcome unknown"));
    assertThatThrownBy(() -> a.get(5, TimeUnit.SECONDS)).cause().hasMessage("outcome unknown");
    Sent s2 = awaitSent(2);
    s2.reply().completeExceptionally(new AionException(ErrorCode.UNAVAILABLE, "no quorum"));
    assertThatThrownBy(() -> b.get(5, TimeUnit.SECONDS)).cause().hasMessage("no quorum");
    assertThatThrownBy(() -> c.get(5, TimeUnit.SECONDS)).cause().hasMessage("no quorum");
    CompletableFuture<ApplyResult> d = submit(put("d", 1));
    awaitSent(3).reply().complete(ApplyResultCodec.encode(written(9)));
    assertThat(d.get(5, TimeUnit.SECONDS)).isEqualTo(written(9));
  }

  @Test
  void closeProposesWhatWasAcceptedAndRefusesTheRest() throws Exception {
    batcher(256, 1 << 20);
    CompletableFuture<ApplyResult> a = submit(put("a", 1));
    Sent s1 = awaitSent(1);
    CompletableFuture<ApplyResult> b = submit(put("b", 1));
    batcher.close();
    assertThatThrownBy(() -> submit(put("late", 1)).get(5, TimeUnit.SECONDS)).cause()
        .isInstanceOf(AionException.class).hasMessageContaining("shutting down");
    s1.reply().complete(ApplyResultCodec.encode(written(1)));
    awaitSent(2).reply().complete(ApplyResultCodec.encode(written(2)));
    assertThat(batcher.awaitIdle(Duration.ofSeconds(5))).isTrue();
    assertThat(a.get()).isEqualTo(written(1));
    assertThat(b.get()).isEqualTo(written(2));
  }
}
