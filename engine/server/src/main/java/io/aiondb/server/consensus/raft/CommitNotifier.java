package io.aiondb.server.consensus.raft;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.impl.LeaderHeartbeats;

/**
 * Carries each commit index from the leader to the followers within a few milliseconds, by heartbeat when no append
 * does it. Ratis's log-metadata entries, which did this by appending (writing, fsyncing and replicating) an entry after
 * every commit, are off: a one-client write waited ~1 ms for them (docs/design/replication.md, "Commit index to the
 * followers"). Without either, a follower learns a commit only from the next append or the periodic heartbeat (half an
 * election timeout): its stale reads, watches and linearizable reads (which wait until it has applied the leader's
 * read index) would lag that long when writes pause.
 *
 * <p>On the leader: {@link #committed} (an entry applied) checks {@link #SETTLE_MS} later that every follower has
 * reported a commit index at least that far, and sends a heartbeat to each that has not; entries applied while a check
 * is armed get the next one, so every commit reaches the followers within 2 × SETTLE_MS and a round trip. Under load
 * the next append carries the commit before then, so no heartbeat goes (a heartbeat per write cost ~10 % of the one-client write rate
 * on this 2-core machine, measured). {@link #readIndexAsked} (a follower waits for a read index) sends it at once.
 * A follower with an append in flight is asked again every millisecond until that append is answered (a heartbeat
 * sent meanwhile carries no commit index), at most {@link #MAX_RETRIES} times, after which the periodic heartbeat or
 * the next append takes over. Nothing happens on a follower.
 */
final class CommitNotifier {
  static final long SETTLE_MS = 5;
  static final int MAX_RETRIES = 200;

  private final Supplier<RaftServer.Division> division;
  /** The latest commit index this node knows every follower should learn. */
  private long target;
  /** The commit the armed settle check is for: it was the latest when the check was armed, SETTLE_MS before it runs. */
  private long settling;
  private boolean settleArmed;
  private boolean retryArmed;
  /** The followers the next retry looks at (those that had an append in flight), and the commit they must learn. */
  private final Set<RaftPeerId> retryFor = new HashSet<>();
  private long retryUpTo;
  private int retries;

  /** @param division this group's division of the local server, or null while there is none */
  CommitNotifier(Supplier<RaftServer.Division> division) {
    this.division = division;
  }

  /** The local node applied the entry at {@code index}, so it is committed. */
  synchronized void committed(long index) {
    if (index <= target) return;
    target = index;
    if (!settleArmed) armSettle();
  }

  /** {@code follower} asked this node, as leader, for a read index, up to {@code index}: it must learn that commit. */
  synchronized void readIndexAsked(RaftPeerId follower, long index) {
    RaftServer.Division d = division.get();
    if (d == null) return;
    target = Math.max(target, index);
    retryLater(LeaderHeartbeats.commitToFollowers(d, follower::equals, index), index);
  }

  private void armSettle() {
    settleArmed = true;
    settling = target;
    CompletableFuture.delayedExecutor(SETTLE_MS, TimeUnit.MILLISECONDS).execute(this::settle);
  }

  /**
   * The commit the check was armed for is now SETTLE_MS old: a follower that has not reported it gets a heartbeat. Only
   * that one, not the latest: under a steady stream of writes the latest is always a few hundred microseconds old and
   * on its way with the next append, and chasing it sent a heartbeat (or a chain of retries) every few milliseconds
   * (measured: ~0.5 heartbeats per write per follower at one client). Newer commits get their own check.
   */
  private synchronized void settle() {
    settleArmed = false;
    RaftServer.Division d = division.get();
    if (d != null) retryLater(LeaderHeartbeats.commitToFollowers(d, id -> true, settling), settling);
    if (target > settling) armSettle();
  }

  private synchronized void retry() {
    retryArmed = false;
    RaftServer.Division d = division.get();
    Set<RaftPeerId> ask = Set.copyOf(retryFor);
    long upTo = retryUpTo;
    retryFor.clear();
    if (d != null && !ask.isEmpty()) retryLater(LeaderHeartbeats.commitToFollowers(d, ask::contains, upTo), upTo);
  }

  /** Followers that had an append in flight are asked again in a millisecond, up to MAX_RETRIES times in a row. */
  private void retryLater(Set<RaftPeerId> inFlight, long upTo) {
    if (inFlight.isEmpty()) {
      if (retryFor.isEmpty()) retries = 0;
      return;
    }
    retryFor.addAll(inFlight);
    retryUpTo = retryArmed ? Math.max(retryUpTo, upTo) : upTo;
    if (retryArmed) return;
    if (++retries > MAX_RETRIES) { // the periodic heartbeat or the next append takes over
      retryFor.clear();
      retries = 0;
      return;
    }
    retryArmed = true;
    CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS).execute(this::retry);
  }
}
