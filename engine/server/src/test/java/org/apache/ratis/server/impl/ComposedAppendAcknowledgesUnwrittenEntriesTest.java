package org.apache.ratis.server.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.junit.jupiter.api.Test;

/**
 * Pins a Ratis 3.3.0 behaviour Aion turns off (RaftNode.catchUpSettings, raft.server.log.append-entries.compose.enabled
 * = false): with composed appends, a follower that receives an append whose first index equals that of an append
 * still being written does not write it, but completes it with the earlier write, and the follower then acknowledges
 * the new append up to its last index. A leader resends such overlapping appends while a follower catches up; it then
 * holds a match index past the follower's log and the follower never catches up (issue 13, bin/bench-rejoin).
 *
 * <p>This test lives in Ratis's package to reach the package-private class. If it fails after a Ratis upgrade, the
 * behaviour changed: check whether composed appends became safe before turning them back on.
 */
class ComposedAppendAcknowledgesUnwrittenEntriesTest {
  private static List<LogEntryProto> entries(long first, long last) {
    return LongStream.rangeClosed(first, last).mapToObj(i -> LogEntryProto.newBuilder().setTerm(1).setIndex(i).build())
        .toList();
  }

  @Test
  void aLongerAppendWithTheSameFirstIndexCompletesWithoutItsExtraEntriesBeingWritten() throws Exception {
    ServerImplUtils.NavigableIndices pending = new ServerImplUtils.NavigableIndices();
    List<List<LogEntryProto>> written = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> firstWrite = new CompletableFuture<>();

    CompletableFuture<Void> first = pending.append(entries(10, 12), e -> {
      written.add(e);
      return firstWrite;
    });
    CompletableFuture<Void> second = pending.append(entries(10, 20), e -> {
      written.add(e);
      return CompletableFuture.completedFuture(null);
    });
    firstWrite.complete(null);
    first.get(10, TimeUnit.SECONDS);
    second.get(10, TimeUnit.SECONDS);

    // The second append (entries 10-20) is complete, so the follower would answer it as written up to 20, yet only
    // entries 10-12 were ever handed to the log.
    assertThat(second).isCompleted();
    assertThat(written).hasSize(1);
    assertThat(written.get(0)).extracting(LogEntryProto::getIndex).containsExactly(10L, 11L, 12L);
  }
}
