/**
 * Watches: the change feed of a namespace, delivered in revision order.
 *
 * <p>Invariants: every version the state machine writes also writes a change-feed entry ({@code changes} column
 * family) in the same atomic batch, and retention removes both together, raising the namespace's
 * {@code compactRevision}. A watcher reads only what this node has applied, from one RocksDB snapshot per step, so
 * it delivers each revision's events exactly once, whole, and in order; a client that resumes from the revision
 * after the last one it received misses nothing and sees nothing twice. A start revision at or below
 * {@code compactRevision} is refused ({@code HISTORY_COMPACTED}) rather than served with gaps.
 */
package io.aiondb.server.watch;
