package io.aiondb.lincheck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides whether a key-value history (see {@link Op} for the model and the meaning of unknown outcomes)
 * is linearizable: whether every completed operation, and any subset of the operations with an unknown
 * outcome, can be given a distinct instant inside its interval such that, in that order, the operations
 * are a legal sequential run of a map of registers that starts empty.
 *
 * <p>The registers are independent, so the history is split by key and each key is checked on its own
 * (in parallel); the history is linearizable iff every key's is. Each key is searched with Wing &amp; Gong's
 * algorithm and Lowe's memoization (as in Porcupine and Knossos); see {@code KeySearch}. The search is
 * exponential in the worst case, hence the timeout; histories of thousands of operations per key with a
 * handful of concurrent clients are typically decided in milliseconds.
 */
public final class LinearizabilityChecker {

    /** The answer. */
    public enum Verdict {
        /** A linearization exists for every key. */
        LINEARIZABLE,
        /** Some key has no linearization: the store broke linearizability (or the history was recorded wrongly). */
        NOT_LINEARIZABLE,
        /** The time budget ran out before every key was decided, and no key was found non-linearizable: unknown. */
        TIMEOUT
    }

    /**
     * The result of a check.
     *
     * @param verdict     the answer
     * @param key         NOT_LINEARIZABLE: the offending key; TIMEOUT: one undecided key; otherwise {@code null}
     * @param explanation NOT_LINEARIZABLE: the longest linearizable prefix found for that key and the operations
     *                    that could not be placed after it; TIMEOUT: the undecided keys; otherwise a summary
     * @param elapsed     how long the check took
     */
    public record Result(Verdict verdict, String key, String explanation, Duration elapsed) {
        /** Whether the verdict is {@link Verdict#LINEARIZABLE}. */
        public boolean linearizable() {
            return verdict == Verdict.LINEARIZABLE;
        }

        @Override public String toString() {
            return verdict + (key == null ? "" : " (key " + key + ")") + " in " + elapsed.toMillis() + " ms\n" + explanation;
        }
    }

    private LinearizabilityChecker() {}

    /** Checks {@code ops} using up to one thread per available processor. */
    public static Result check(List<Op> ops, Duration timeout) {
        return check(ops, timeout, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Checks {@code ops}, giving up with {@link Verdict#TIMEOUT} after {@code timeout}.
     *
     * @param parallelism how many keys to check at once (at least 1)
     */
    public static Result check(List<Op> ops, Duration timeout, int parallelism) {
        Objects.requireNonNull(ops, "ops");
        long start = System.nanoTime();
        long deadline = start + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);

        Map<String, List<Op>> byKey = new HashMap<>();
        int total = 0;
        for (Op op : ops) {
            if (op.unknown() && op.kind() == Op.Kind.GET) continue; // constrains nothing
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            total++;
        }
        List<String> keys = new ArrayList<>(byKey.keySet());
        keys.sort(Comparator.comparingInt((String k) -> -byKey.get(k).size()).thenComparing(Comparator.naturalOrder()));

        AtomicBoolean stop = new AtomicBoolean();
        Map<String, KeySearch.KeyResult> results = new TreeMap<>();
        int threads = Math.max(1, Math.min(parallelism, keys.size()));
        if (threads == 1) {
            for (String k : keys) {
                KeySearch.KeyResult r = new KeySearch(k, byKey.get(k)).run(deadline, stop::get);
                results.put(k, r);
                if (r.outcome() == KeySearch.Outcome.NOT_LINEARIZABLE) break;
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "lincheck");
                t.setDaemon(true);
                return t;
            });
            try {
                Map<String, Future<KeySearch.KeyResult>> futures = new HashMap<>();
                for (String k : keys) {
                    futures.put(k, pool.submit(() -> {
                        if (stop.get()) return null;
                        KeySearch.KeyResult r = new KeySearch(k, byKey.get(k)).run(deadline, stop::get);
                        if (r.outcome() == KeySearch.Outcome.NOT_LINEARIZABLE) stop.set(true);
                        return r;
                    }));
                }
                for (var e : futures.entrySet()) {
                    KeySearch.KeyResult r = e.getValue().get();
                    if (r != null) results.put(e.getKey(), r);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop.set(true);
                throw new IllegalStateException("interrupted while checking", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("checker failed", e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        for (var e : results.entrySet()) {
            if (e.getValue().outcome() == KeySearch.Outcome.NOT_LINEARIZABLE) {
                return new Result(Verdict.NOT_LINEARIZABLE, e.getKey(), e.getValue().explanation(), elapsed);
            }
        }
        List<String> undecidedKeys = new ArrayList<>(), why = new ArrayList<>();
        for (String k : keys) {
            KeySearch.KeyResult r = results.get(k);
            if (r == null || r.outcome() != KeySearch.Outcome.LINEARIZABLE) {
                undecidedKeys.add(k);
                why.add(r == null ? "key " + k + ": not checked" : r.explanation());
            }
        }
        if (!undecidedKeys.isEmpty()) {
            return new Result(Verdict.TIMEOUT, undecidedKeys.get(0),
                    "no violation found, but " + undecidedKeys.size() + " of " + keys.size() + " keys undecided within "
                    + timeout + ":\n" + String.join("\n", why), elapsed);
        }
        return new Result(Verdict.LINEARIZABLE, null,
                total + " operations on " + keys.size() + " keys are linearizable", elapsed);
    }
}
