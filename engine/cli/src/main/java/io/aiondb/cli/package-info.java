/**
 * The {@code aion} command line (docs/cli.md), on picocli and the Java client.
 *
 * <p>Data commands (put, get, del, history, query, txn, watch, ns) use the native client {@code io.aiondb.client.Aion}
 * over the binary protocol ({@code --endpoints}); administration (index, cluster) uses the HTTP API ({@code --http})
 * through {@link io.aiondb.cli.Http}. The connection settings come from the global options, else {@code $AION_*}
 * variables, else a context of the config file ({@link io.aiondb.cli.CliConfig}, managed offline by {@code aion config}).
 * Invariants:
 * <ul>
 *   <li>Every command writes its result to the command line's out writer (a readable table, or one JSON document per
 *       result with {@code -o json}) and nothing else; errors are one line on the err writer.</li>
 *   <li>Every failure ends in an exit code of {@link io.aiondb.cli.ExitCode}, chosen from the server's status (or the
 *       CLI's own check of its input), never in a stack trace unless {@code --verbose}.</li>
 *   <li>No command connects before its arguments are checked.</li>
 *   <li>No output or error message shows a token, except {@code aion login}'s answer without {@code --save}.</li>
 * </ul>
 */
package io.aiondb.cli;
