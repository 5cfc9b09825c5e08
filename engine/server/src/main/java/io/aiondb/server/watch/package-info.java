/**
 * Watches: the change feed of a namespace, delivered in revision order.
 *
 * <p>Invariants: every version the state machine writes also writes a change-feed entry ({@code changes} column
 * family) in the same atomic batch, and retention removes both together, raising the namespace's
 * {@code compactRevision}. A watcher reads only what this node has applied, whole revisions from one RocksDB
 * snapshot per step, either by itself (catching up) or from the node's one {@link io.aiondb.server.watch.LiveFeed}
 * (caught up), which reads each applied batch once for all the watchers it concerns; a watcher switches between the
 * two without missing or repeating a revision. So it delivers each revision's events exactly once, whole, and in
 * order; a client that resumes from the revision after the last one it received misses nothing and sees nothing
 * twice. A start revision at or below {@code compactRevision} is refused ({@code HISTORY_COMPACTED}) rather than
 * served with gaps.
 */
package io.aiondb.server.watch;
