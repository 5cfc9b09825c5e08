/**
 * Reconciliation of an AionCluster, as a list of named steps in {@link io.aiondb.operator.reconcile.AionClusterReconciler}.
 * Decisions are pure functions ({@link io.aiondb.operator.reconcile.ChangeGate}, {@link io.aiondb.operator.reconcile.StatusBuilder},
 * {@link io.aiondb.operator.reconcile.VolumeGrowth}, {@link io.aiondb.operator.reconcile.Backoff},
 * {@link io.aiondb.operator.reconcile.SnapshotBuilder} and the roller in {@code io.aiondb.operator.rollout}) tested
 * without a cluster; the reconciler only wires them to the
 * Kubernetes client and the engine client. Invariants: nothing is changed while spec.paused is true; a spec that
 * cannot be honoured changes nothing and says why in the Progressing condition; every create, update or delete
 * emits an Event; the status is patched only when it changed; the rollout step changes at most one member per
 * reconciliation, and only once {@code status.rollout} already records that step (an operator killed in between
 * repeats it).
 */
package io.aiondb.operator.reconcile;
