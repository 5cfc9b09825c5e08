package io.aiondb.lincheck;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The linearizability search for the history of one key (one register).
 *
 * <p>Wing &amp; Gong's depth-first search, in the linked-list form used by Lowe and by Porcupine: the calls and
 * returns of the completed operations are kept in a doubly linked list sorted by time; an operation may be
 * linearized next iff its call comes before the first return still in the list. Linearizing it "lifts" its
 * call and return out of the list; backtracking puts them back. Lowe's memoization prunes any configuration
 * (set of linearized operations, register value) already explored.
 *
 * <p>Operations with an unknown outcome have no return. They live outside the list: one may be linearized
 * whenever its invocation precedes the first return in the list, and the search succeeds as soon as every
 * completed operation is linearized (unknown ones left over never took effect). Since an unknown operation has
 * no deadline it can always be moved later, and it may be dropped, so these sound reductions apply:
 * <ul>
 *   <li>an unknown operation is only linearized if it changes the register and the operation right after it
 *       observes that change (a GET reading the new value, a CAS expecting it, or a CAS that failed only because
 *       the old value is gone); only unknown operations that some operation allowed to go next would observe are
 *       tried at all;</li>
 *   <li>values that no remaining operation compares against ("dead" values, e.g. a value nobody ever reads)
 *       are interchangeable: the memo treats them as one, and unknown PUTs/DELETEs of dead values are
 *       interchangeable too, so only the first unused one is tried and the memo only counts them; likewise
 *       only the first unused of several unknown PUTs/DELETEs leaving the same value is tried;</li>
 *   <li>the memo is keyed by (completed operations linearized, canonical register value) and a configuration
 *       is pruned if one with the same key that used a subset of the live unknown operations, no more dead
 *       ones, and had no stronger restriction on what goes next was already explored (more optional
 *       operations left can only help).</li>
 * </ul>
 * Completed candidates are tried before unknown ones.
 */
final class KeySearch {

    enum Outcome { LINEARIZABLE, NOT_LINEARIZABLE, TIMEOUT }

    record KeyResult(Outcome outcome, String explanation, long steps) {}

    private static final int PUT = 0, GET = 1, DELETE = 2, CAS = 3;
    private static final int EXPLAIN_PREFIX = 12, EXPLAIN_CANDIDATES = 12;

    private final String key;
    private final Op[] ops;          // completed ops [0, m) by invoke time, then unknown ops [m, m+u) by invoke time
    private final int m, u;
    private final int[] kind, val, exp, out;
    private final boolean[] ok;
    private final long[] zobrist;    // a random hash per completed op (0 for unknown ones)
    private final List<String> values = new ArrayList<>(); // value id -> value; id 0 = absent
    private final int junk;          // the id standing for every value that no op observes
    private final int[] previousAlike; // unknown op j -> the previous unknown PUT/DELETE leaving the same value, or -1
    private final int[] shownVal;    // val before merging unobserved values into junk (for explanations)

    /** A call or return event of a completed op in the linked list. */
    private static final class Node {
        final int op;
        final boolean call;
        final long time;
        Node prev, next, match;

        Node(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    private final Node head = new Node(-1, false, Long.MIN_VALUE);
    private final Node[] callNode;

    /** @param keyOps the operations on {@code key}, without unknown GETs */
    KeySearch(String key, List<Op> keyOps) {
        this.key = key;
        List<Op> completed = new ArrayList<>(), unknown = new ArrayList<>();
        for (Op op : keyOps) (op.unknown() ? unknown : completed).add(op);
        Comparator<Op> byInvoke = Comparator.comparingLong(Op::invoke);
        completed.sort(byInvoke);
        unknown.sort(byInvoke);
        m = completed.size();
        u = unknown.size();
        ops = new Op[m + u];
        for (int i = 0; i < m; i++) ops[i] = completed.get(i);
        for (int i = 0; i < u; i++) ops[m + i] = unknown.get(i);

        int n = m + u;
        kind = new int[n];
        val = new int[n];
        exp = new int[n];
        out = new int[n];
        ok = new boolean[n];
        zobrist = new long[n];
        Map<String, Integer> ids = new HashMap<>();
        values.add(null);
        SplittableRandom rnd = new SplittableRandom(0x5eed);
        for (int i = 0; i < n; i++) {
            Op op = ops[i];
            kind[i] = switch (op.kind()) { case PUT -> PUT; case GET -> GET; case DELETE -> DELETE; case CAS -> CAS; };
            val[i] = intern(ids, op.value());
            exp[i] = intern(ids, op.expected());
            out[i] = intern(ids, op.output());
            ok[i] = op.ok();
            zobrist[i] = i < m ? rnd.nextLong() : 0; // the memo key covers completed ops only
        }

        // Values that no op ever compares against (no GET reads them, no CAS expects them) are indistinguishable:
        // merge them into one JUNK value, so that e.g. two such writes in either order reach the same state.
        boolean[] observed = new boolean[values.size()];
        observed[0] = true;
        for (int i = 0; i < n; i++) {
            if (kind[i] == GET) observed[out[i]] = true;
            if (kind[i] == CAS) observed[exp[i]] = true;
        }
        junk = values.size();
        shownVal = val.clone();
        for (int i = 0; i < n; i++) if (!observed[val[i]]) val[i] = junk;

        // Unknown PUTs/DELETEs leaving the same value are interchangeable: only the first unused one of such a class
        // is ever tried, so the ones used are always a prefix of their class (in invocation order).
        previousAlike = new int[u];
        Map<Integer, Integer> lastOfClass = new HashMap<>();
        for (int j = 0; j < u; j++) {
            int v = blindWriteResult(m + j);
            Integer prev = v < 0 ? null : lastOfClass.put(v, j);
            previousAlike[j] = prev == null ? -1 : prev;
        }

        // the sorted list of calls and returns of completed ops; at equal times calls come first (touching = concurrent)
        callNode = new Node[m];
        List<Node> nodes = new ArrayList<>(2 * m);
        for (int i = 0; i < m; i++) {
            Node c = new Node(i, true, ops[i].invoke()), r = new Node(i, false, ops[i].ret());
            c.match = r;
            r.match = c;
            callNode[i] = c;
            nodes.add(c);
            nodes.add(r);
        }
        nodes.sort(Comparator.comparingLong((Node x) -> x.time).thenComparing(x -> !x.call).thenComparingInt(x -> x.op));
        Node prev = head;
        for (Node x : nodes) {
            prev.next = x;
            x.prev = prev;
            prev = x;
        }
    }

    private int intern(Map<String, Integer> ids, String v) {
        if (v == null) return 0;
        return ids.computeIfAbsent(v, s -> {
            values.add(s);
            return values.size() - 1;
        });
    }

    private static void lift(Node call) {
        call.prev.next = call.next;
        call.next.prev = call.prev; // a call is always followed by its return
        Node ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) ret.next.prev = ret.prev;
    }

    private static void unlift(Node call) {
        Node ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) ret.next.prev = ret;
        call.prev.next = call;
        call.next.prev = call;
    }

    /** The register value after applying op {@code i} in state {@code s}, or -1 if op {@code i} cannot happen in {@code s}. */
    private int step(int i, int s) {
        return switch (kind[i]) {
            case PUT -> val[i];
            case DELETE -> 0;
            case GET -> out[i] == s ? s : -1;
            default -> { // CAS
                if (i >= m) yield exp[i] == s ? val[i] : s; // unknown: deterministic given the state
                if (ok[i]) yield exp[i] == s ? val[i] : -1;
                yield exp[i] != s ? s : -1;
            }
        };
    }

    /** Memo key: the completed ops linearized and the register value (canonical: a dead value counts as JUNK). */
    private static final class MemoKey {
        final long[] done;
        final int state;
        final long hash;

        MemoKey(long[] done, int state, long hash) {
            this.done = done;
            this.state = state;
            this.hash = hash;
        }

        @Override public int hashCode() {
            return Long.hashCode(hash * 0x9E3779B97F4A7C15L + state);
        }

        @Override public boolean equals(Object o) {
            return o instanceof MemoKey k && k.state == state && k.hash == hash && Arrays.equals(k.done, done);
        }
    }

    /**
     * How a memoized configuration used the unknown ops: which ones whose value is still observable
     * ({@code live}), how many interchangeable ones whose value is dead ({@code deadUsed}), and, if the last op
     * linearized was an unknown one, the (canonical) register value before it, else -1: that restricts what may
     * go next. One configuration dominates another with the same key if it leaves at least as many options.
     */
    private record Seen(long[] live, int deadUsed, int observeFrom) {
        boolean dominates(Seen o) {
            if (observeFrom >= 0 && observeFrom != o.observeFrom) return false;
            if (deadUsed > o.deadUsed) return false;
            for (int w = 0; w < live.length; w++) if ((live[w] & ~o.live[w]) != 0) return false;
            return true;
        }
    }

    private record Frame(int op, int prevState, int prevObserveFrom, int pass, Node node, int upos, long firstRet) {}

    // search state
    private long[] done, unk;        // completed ops linearized; unknown ops linearized
    private long[] deadUnk;          // unknown blind writes whose value no op left to linearize can observe
    private int[] observersLeft;     // per value: completed GETs/CASes comparing against it not yet linearized (+ a lot per unknown CAS)
    private int[][] writersOf;       // per value: the unknown blind writes (index j) leaving it

    private void setDone(int i) {
        done[i >>> 6] |= 1L << i;
        int v = observed(i);
        if (v >= 0 && --observersLeft[v] == 0) for (int j : writersOf[v]) deadUnk[j >>> 6] |= 1L << j;
    }

    private void clearDone(int i) {
        done[i >>> 6] &= ~(1L << i);
        int v = observed(i);
        if (v >= 0 && observersLeft[v]++ == 0) for (int j : writersOf[v]) deadUnk[j >>> 6] &= ~(1L << j);
    }

    /** The value op {@code i} compares the register against, or -1. */
    private int observed(int i) {
        return kind[i] == GET ? out[i] : kind[i] == CAS ? exp[i] : -1;
    }

    private int canonical(int v) {
        return v >= 0 && observersLeft[v] == 0 ? junk : v;
    }

    private static boolean has(long[] bits, int j) {
        return (bits[j >>> 6] & (1L << j)) != 0;
    }

    KeyResult run(long deadlineNanos, BooleanSupplier cancelled) {
        done = new long[(m + 63) >>> 6];
        unk = new long[(u + 63) >>> 6];
        deadUnk = new long[unk.length];
        observersLeft = new int[values.size() + 1];
        for (int i = 0; i < m + u; i++) {
            int v = observed(i);
            if (v >= 0) observersLeft[v] += i < m ? 1 : 1 << 24; // an unknown CAS may always still come
        }
        int[] writerCount = new int[values.size() + 1];
        for (int j = 0; j < u; j++) if (blindWriteResult(m + j) >= 0) writerCount[blindWriteResult(m + j)]++;
        writersOf = new int[values.size() + 1][];
        for (int v = 0; v < writersOf.length; v++) writersOf[v] = new int[writerCount[v]];
        for (int j = u - 1; j >= 0; j--) {
            int v = blindWriteResult(m + j);
            if (v >= 0) writersOf[v][--writerCount[v]] = j;
        }
        for (int v = 0; v < writersOf.length; v++) {
            if (observersLeft[v] == 0) for (int j : writersOf[v]) deadUnk[j >>> 6] |= 1L << j;
        }

        long hash = 0;
        Map<MemoKey, List<Seen>> memo = new HashMap<>();
        Frame[] stack = new Frame[m + u];
        int depth = 0;
        int state = 0;                 // the register starts absent
        int observeFrom = -1;          // if the last op linearized is an unknown one: the register value before it
        int remaining = m;

        int best = -1;                 // most completed ops linearized so far, and the stack at that time
        int[] bestStack = new int[0];

        int pass = 0;                  // 0: trying completed ops along the list, 1: trying unknown ops
        Node cur = head.next;
        int upos = 0;
        long firstRet = 0;
        long steps = 0;

        while (true) {
            if (remaining == 0) return new KeyResult(Outcome.LINEARIZABLE, null, steps);
            if ((++steps & 0x3FF) == 0 && (System.nanoTime() - deadlineNanos > 0 || cancelled.getAsBoolean())) {
                return new KeyResult(Outcome.TIMEOUT, "key " + key + ": gave up after " + steps + " search steps ("
                        + memo.size() + " configurations), " + Math.max(best, 0) + " of " + m
                        + " completed operations linearized at best", steps);
            }
            int cand;
            if (pass == 0) {
                if (!cur.call) { // the first return: every completed op that may go next has been tried
                    pass = 1;
                    firstRet = cur.time;
                    upos = 0;
                    collectWanted(state, firstRet);
                    continue;
                }
                cand = cur.op;
            } else {
                if (upos >= u || ops[m + upos].invoke() > firstRet) {
                    // nothing more to try at this depth: backtrack
                    if (depth == 0) {
                        return new KeyResult(Outcome.NOT_LINEARIZABLE, explain(bestStack, best), steps);
                    }
                    Frame f = stack[--depth];
                    state = f.prevState;
                    observeFrom = f.prevObserveFrom;
                    if (f.op < m) {
                        clearDone(f.op);
                        unlift(callNode[f.op]);
                        remaining++;
                    } else {
                        int j = f.op - m;
                        unk[j >>> 6] &= ~(1L << j);
                    }
                    hash ^= zobrist[f.op];
                    pass = f.pass;
                    if (pass == 0) {
                        cur = f.node.next;
                    } else {
                        upos = f.upos + 1;
                        firstRet = f.firstRet;
                        collectWanted(state, firstRet);
                    }
                    continue;
                }
                int j = upos;
                int alike = previousAlike[j];
                if (has(unk, j) || alike >= 0 && !has(unk, alike) || !wanted(m + j, state)
                        || has(deadUnk, j) && j != firstUnusedDead()) {
                    // already linearized, or an interchangeable earlier one is unused, or nothing that may go next
                    // would observe it
                    upos++;
                    continue;
                }
                cand = m + j;
            }

            boolean placed = false;
            if (observeFrom < 0 || dependsOnLast(cand, observeFrom)) {
                int next = step(cand, state);
                if (next >= 0 && !(cand >= m && next == state)) {
                    boolean candUnknown = cand >= m;
                    if (candUnknown) {
                        int j = cand - m;
                        unk[j >>> 6] |= 1L << j;
                    } else {
                        setDone(cand);
                    }
                    long nextHash = hash ^ zobrist[cand];
                    int nextObserveFrom = candUnknown ? state : -1;
                    if (memoize(memo, nextHash, next, nextObserveFrom)) {
                        stack[depth++] = new Frame(cand, state, observeFrom, pass, cur, upos, firstRet);
                        if (!candUnknown) {
                            lift(callNode[cand]);
                            remaining--;
                        }
                        state = next;
                        observeFrom = nextObserveFrom;
                        hash = nextHash;
                        placed = true;
                        if (m - remaining > best) {
                            best = m - remaining;
                            bestStack = new int[depth];
                            for (int d = 0; d < depth; d++) bestStack[d] = stack[d].op;
                        }
                        pass = 0;
                        cur = head.next;
                    } else if (candUnknown) {
                        int j = cand - m;
                        unk[j >>> 6] &= ~(1L << j);
                    } else {
                        clearDone(cand);
                    }
                }
            }
            if (!placed) {
                if (pass == 0) cur = cur.next;
                else upos++;
            }
        }
    }

    // what the ops that may go next could observe, so that only unknown ops they would observe are tried
    private int[] wantedValues = new int[16];
    private int wantedCount;
    private boolean wantsAnyChange; // a completed CAS that may go next failed because the value is not the current one

    /** Collects, for the current window, the values whose appearance an op that may go next would observe. */
    private void collectWanted(int state, long firstRet) {
        wantedCount = 0;
        wantsAnyChange = false;
        for (Node x = head.next; x != null && x.call; x = x.next) {
            int i = x.op;
            if (kind[i] == GET) addWanted(out[i]);
            else if (kind[i] == CAS && ok[i]) addWanted(exp[i]);
            else if (kind[i] == CAS && exp[i] == state) wantsAnyChange = true;
        }
        for (int j = 0; j < u && ops[m + j].invoke() <= firstRet; j++) {
            if (kind[m + j] == CAS && !has(unk, j)) addWanted(exp[m + j]);
        }
    }

    private void addWanted(int v) {
        for (int k = 0; k < wantedCount; k++) if (wantedValues[k] == v) return;
        if (wantedCount == wantedValues.length) wantedValues = Arrays.copyOf(wantedValues, 2 * wantedCount);
        wantedValues[wantedCount++] = v;
    }

    /** Whether unknown op {@code i}, placed now, would change the register to a value some op that may go next observes. */
    private boolean wanted(int i, int state) {
        int r = kind[i] == CAS ? (exp[i] == state ? val[i] : state) : blindWriteResult(i);
        if (r == state) return false;
        if (wantsAnyChange) return true;
        for (int k = 0; k < wantedCount; k++) if (wantedValues[k] == r) return true;
        return false;
    }

    /** The value an unknown PUT or DELETE leaves, or -1 for other ops. */
    private int blindWriteResult(int i) {
        return kind[i] == PUT ? val[i] : kind[i] == DELETE ? 0 : -1;
    }

    /** The first unknown op that is a dead-valued blind write and not linearized, or -1. */
    private int firstUnusedDead() {
        for (int w = 0; w < unk.length; w++) {
            long free = deadUnk[w] & ~unk[w];
            if (free != 0) return (w << 6) + Long.numberOfTrailingZeros(free);
        }
        return -1;
    }

    /** Records the configuration; false if it (or a configuration dominating it) was explored already. */
    private boolean memoize(Map<MemoKey, List<Seen>> memo, long hash, int state, int observeFrom) {
        int deadUsed = 0;
        long[] live = unk.clone();
        for (int w = 0; w < live.length; w++) {
            deadUsed += Long.bitCount(live[w] & deadUnk[w]);
            live[w] &= ~deadUnk[w];
        }
        Seen mine = new Seen(live, deadUsed, observeFrom < 0 ? -1 : canonical(observeFrom));
        MemoKey probe = new MemoKey(done, canonical(state), hash);
        List<Seen> seen = memo.get(probe);
        if (seen == null) {
            seen = new ArrayList<>(1);
            memo.put(new MemoKey(done.clone(), probe.state, hash), seen);
        } else {
            for (Seen s : seen) if (s.dominates(mine)) return false;
            seen.removeIf(mine::dominates);
        }
        seen.add(mine);
        return true;
    }

    /**
     * Whether op {@code i} may directly follow an unknown op that moved the register away from {@code before}:
     * only if it observes the change (a GET, a CAS that swapped, an unknown CAS, or a CAS that failed only because
     * the value is no longer {@code before}). Otherwise the unknown op could as well take effect after op {@code i}
     * (it has no deadline), or never if op {@code i} overwrites it, so that order need not be explored.
     */
    private boolean dependsOnLast(int i, int before) {
        return switch (kind[i]) {
            case GET -> true;
            case CAS -> i >= m || ok[i] || exp[i] == before;
            default -> false;
        };
    }

    // ------------------------------------------------------------------ explanation

    private String show(int v) {
        return Op.quote(values.get(v));
    }

    private String explain(int[] prefix, int placed) {
        StringBuilder sb = new StringBuilder();
        sb.append("key ").append(key).append(": not linearizable (").append(m).append(" completed operations, ")
          .append(u).append(" with unknown outcome).\n");
        if (placed < 0) { // nothing could even be placed first
            placed = 0;
            prefix = new int[0];
        }
        int unknownUsed = prefix.length - placed;
        sb.append("Longest linearizable prefix found: ").append(placed).append(" of ").append(m)
          .append(" completed operations").append(unknownUsed > 0 ? " (and " + unknownUsed + " with unknown outcome)" : "")
          .append(prefix.length == 0 ? "; the register starts absent." : ", ending with:").append('\n');
        int from = Math.max(0, prefix.length - EXPLAIN_PREFIX);
        if (from > 0) sb.append("  ... ").append(from).append(" earlier\n");
        int state = 0; // replayed with the real values (step() works on values merged into junk)
        for (int d = 0; d < prefix.length; d++) {
            int i = prefix[d];
            boolean writes = kind[i] == PUT || kind[i] == CAS && (i >= m ? exp[i] == state : ok[i]);
            state = kind[i] == DELETE ? 0 : writes ? shownVal[i] : state;
            int s = state;
            if (d >= from) {
                sb.append("  ").append(d + 1).append(". ").append(ops[prefix[d]].describe())
                  .append(prefix[d] >= m ? " (unknown outcome, took effect here)" : "")
                  .append("  => ").append(show(s)).append('\n');
            }
        }
        sb.append("The register then holds ").append(show(state)).append(".\n");

        // which completed ops were in line to go next
        boolean[] in = new boolean[m + u];
        for (int op : prefix) in[op] = true;
        int firstReturning = -1;
        for (int i = 0; i < m; i++) {
            if (!in[i] && (firstReturning < 0 || ops[i].ret() < ops[firstReturning].ret())) firstReturning = i;
        }
        long firstRet = ops[firstReturning].ret();
        sb.append("No continuation places ").append(ops[firstReturning].describe())
          .append(" before it returned; the candidates to go next were:\n");
        int shown = 0, pendingUnknown = 0;
        for (int i = 0; i < m + u; i++) {
            if (in[i] || ops[i].invoke() > firstRet) continue;
            if (i >= m) {
                pendingUnknown++;
                continue;
            }
            if (shown++ == EXPLAIN_CANDIDATES) {
                sb.append("  ...\n");
                continue;
            }
            if (shown > EXPLAIN_CANDIDATES) continue;
            sb.append("  ").append(ops[i].describe()).append(": ").append(reason(i, state)).append('\n');
        }
        if (pendingUnknown > 0) {
            sb.append("  and ").append(pendingUnknown).append(" operation(s) with unknown outcome that had not taken effect.\n");
        }
        return sb.toString();
    }

    private String reason(int i, int s) {
        return switch (kind[i]) {
            case GET -> out[i] == s ? "fits here, but no continuation after it works"
                    : "read " + show(out[i]) + " but the register holds " + show(s);
            case CAS -> {
                if (ok[i]) yield exp[i] == s ? "fits here, but no continuation after it works"
                        : "swapped expecting " + show(exp[i]) + " but the register holds " + show(s);
                yield exp[i] != s ? "fits here, but no continuation after it works"
                        : "failed although the register holds the expected " + show(s);
            }
            default -> "fits here, but no continuation after it works";
        };
    }
}
