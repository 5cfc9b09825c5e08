package io.aiondb.server.watch;

import java.time.Duration;

/**
 * How many watches a node serves and how long it waits for a slow one.
 *
 * @param maxTotal         watches open on this node at once ({@code watch.max})
 * @param maxPerClient     watches one client address may hold on this node, over every connection
 *                         ({@code watch.max-per-client})
 * @param maxPerConnection watches one binary-protocol connection may hold ({@code watch.max-per-connection})
 * @param sendTimeout      longest a watch waits for its client to take the next event; then it is cut with a
 *                         resumable error naming the revision to resume from ({@code watch.send-timeout})
 */
public record WatchLimits(int maxTotal, int maxPerClient, int maxPerConnection, Duration sendTimeout) {}
