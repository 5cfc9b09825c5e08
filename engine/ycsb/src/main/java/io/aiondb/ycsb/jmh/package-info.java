/**
 * JMH microbenchmarks of the engine's hot paths, run by {@code bin/bench-jmh}: key encoding, applying commands to a
 * real RocksDB store, query predicate evaluation. They call the server's classes directly and change no state outside
 * their own temporary directories.
 */
package io.aiondb.ycsb.jmh;
