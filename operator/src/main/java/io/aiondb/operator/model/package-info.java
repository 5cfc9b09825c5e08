/**
 * Pure resource builders: each is a function from an {@code AionCluster} (plus explicit inputs) to the Kubernetes
 * object the cluster needs. Invariants: no client calls, no clock, no randomness; the same input gives an equal
 * object; a builder returning {@code null} means "this object must not exist". Every object carries the recommended
 * {@code app.kubernetes.io/*} labels and a controller owner reference to its AionCluster, so deleting the cluster
 * deletes them (PersistentVolumeClaims follow {@code spec.storage.reclaimPolicy}).
 */
package io.aiondb.operator.model;
