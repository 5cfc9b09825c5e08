/**
 * The Aion DB operator: reconciles AionCluster resources into running clusters (docs/operator.md,
 * docs/design/002-operator.md). Packages: {@code api} (the resource), {@code model} (pure resource builders),
 * {@code reconcile} (the steps and the pure decisions they use), {@code engine} (the engine's HTTP cluster API),
 * {@code rollout} (the pure decisions for restarts, scaling and member replacement).
 */
package io.aiondb.operator;
