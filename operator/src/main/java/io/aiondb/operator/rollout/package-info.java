/**
 * Rolling restarts, scaling and member replacement as pure decisions ({@link io.aiondb.operator.rollout.Roller},
 * docs/design/006-roller.md). Invariants: no Kubernetes or engine calls and no clock reads here — every input is in a
 * {@link io.aiondb.operator.rollout.Snapshot}; the only state carried between decisions is
 * {@link io.aiondb.operator.rollout.RolloutStatus}, stored in the resource's status; one decision names at most one
 * member to disturb, and no member is disturbed while another is not Ready, not caught up, or the engine says it is
 * unsafe.
 */
package io.aiondb.operator.rollout;
