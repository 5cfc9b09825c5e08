/**
 * The operator's only way to the engine: its HTTP cluster API (docs/cluster-api.md). No engine module is a
 * dependency. Every call has a timeout and reports failure as {@link io.aiondb.operator.engine.EngineUnavailableException}
 * with a message a person can act on; callers never block reconciliation on the engine.
 */
package io.aiondb.operator.engine;
