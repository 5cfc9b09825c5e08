package io.aiondb.server.state;

/**
 * A command at its position in the log, with the commit time the proposer decided before appending it.
 *
 * @param index           position in the log (1-based, gap-free on one node)
 * @param timestampMillis commit time in milliseconds since the epoch, never lower than the previous entry's
 */
public record LogEntry(long index, long timestampMillis, Command command) {}
