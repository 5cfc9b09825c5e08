/**
 * The operator's only way to the engine: its HTTP cluster API (docs/cluster-api.md). No engine module is a
 * dependency. Every call has a timeout and reports failure as {@link io.aiondb.operator.engine.EngineUnavailableException}
 * with a message a person can act on; a refusal by the engine (4xx: e.g. 409 UNSAFE with the reason, 409 NOT_CAUGHT_UP)
 * is {@link io.aiondb.operator.engine.EngineRefusedException} with the engine's code. The operator acts in node terms
 * ({@link io.aiondb.operator.engine.NodeView}), never in Raft groups. Callers never block reconciliation on the engine.
 */
package io.aiondb.operator.engine;
