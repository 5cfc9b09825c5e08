/**
 * Benchmarks against real peers: YCSB bindings for Aion ({@link io.aiondb.ycsb.AionBinding}), etcd
 * ({@link io.aiondb.ycsb.EtcdBinding}) and Redis ({@link io.aiondb.ycsb.RedisBinding}), the in-JVM YCSB driver and
 * report of {@code bin/bench-peers} ({@link io.aiondb.ycsb.PeersBench}, {@link io.aiondb.ycsb.PeersReport}), and the
 * physical-limit probes ({@link io.aiondb.ycsb.Probes}).
 *
 * <p>Invariants: a binding never throws out of a YCSB operation (an exception becomes {@code Status.ERROR}, counted and
 * reported); Aion and etcd store a record as the same JSON bytes ({@link io.aiondb.ycsb.Records}); every figure comes
 * from a run, none is computed or written by hand. Nothing here is used by the server or the client.
 */
package io.aiondb.ycsb;
