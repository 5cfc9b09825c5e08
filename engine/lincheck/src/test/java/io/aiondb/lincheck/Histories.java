package io.aiondb.lincheck;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/** Test helpers: deterministic random linearizable histories, and violations to inject into histories. */
final class Histories {

    private Histories() {}

    /**
     * A linearizable history made by a discrete-event simulation of {@code clients} clients against an atomic
     * map: each tick one random enabled event happens (a client invokes, an op takes effect, a client gets its
     * response, a client gives up on an op, an abandoned op takes effect). A fraction {@code unknownRate} of
     * the ops get an unknown outcome; half of those take effect at some random later time (possibly after the
     * client went on with other ops), the other half never. All writes write distinct values.
     */
    static List<Op> simulate(long seed, int clients, int keys, int opCount, double unknownRate) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, String> model = new HashMap<>();
        List<String> written = new ArrayList<>();
        written.add("never-written");

        final class Pending {
            final int client;
            final long invoke;
            final Op.Kind kind;
            final String key, value, expected;
            String output;
            boolean ok;

            Pending(int client, long invoke, Op.Kind kind, String key, String value, String expected) {
                this.client = client;
                this.invoke = invoke;
                this.kind = kind;
                this.key = key;
                this.value = value;
                this.expected = expected;
            }

            void apply() {
                String cur = model.get(key);
                switch (kind) {
                    case GET -> output = cur;
                    case PUT -> model.put(key, value);
                    case DELETE -> model.remove(key);
                    case CAS -> {
                        ok = java.util.Objects.equals(cur, expected);
                        if (ok) model.put(key, value);
                    }
                }
            }

            Op op(long ret) {
                return new Op(client, invoke, ret, kind, key, value, expected, output, ok);
            }
        }

        // per client: 0 idle, 1 invoked, 2 took effect, 3 waiting for an unknown outcome
        int[] phase = new int[clients];
        Pending[] current = new Pending[clients];
        List<Pending> abandoned = new ArrayList<>(); // unknown ops that will take effect some time
        List<Op> ops = new ArrayList<>();
        int started = 0, seq = 0;
        long tick = 0;
        List<int[]> enabled = new ArrayList<>();
        while (true) {
            enabled.clear();
            for (int c = 0; c < clients; c++) {
                if (phase[c] != 0 || started < opCount) enabled.add(new int[] {0, c});
            }
            for (int i = 0; i < abandoned.size(); i++) enabled.add(new int[] {1, i});
            if (enabled.isEmpty()) break;
            boolean busy = false;
            for (int c = 0; c < clients; c++) busy |= phase[c] != 0;
            if (!busy && started >= opCount) break; // the abandoned ops left never take effect
            int[] ev = enabled.get(rnd.nextInt(enabled.size()));
            tick += 1 + rnd.nextInt(3);
            if (ev[0] == 1) {
                abandoned.remove(ev[1]).apply();
                continue;
            }
            int c = ev[1];
            switch (phase[c]) {
                case 0 -> {
                    if (started >= opCount) continue;
                    started++;
                    String key = "k" + rnd.nextInt(keys);
                    int dice = rnd.nextInt(100);
                    String value = "c" + c + "-" + (seq++);
                    Pending p;
                    if (dice < 40) {
                        p = new Pending(c, tick, Op.Kind.GET, key, null, null);
                    } else if (dice < 70) {
                        p = new Pending(c, tick, Op.Kind.PUT, key, value, null);
                    } else if (dice < 80) {
                        p = new Pending(c, tick, Op.Kind.DELETE, key, null, null);
                    } else {
                        int how = rnd.nextInt(4);
                        String expected = how <= 1 ? model.get(key) : how == 2 ? null : written.get(rnd.nextInt(written.size()));
                        p = new Pending(c, tick, Op.Kind.CAS, key, value, expected);
                    }
                    if (value.equals(p.value)) written.add(value);
                    current[c] = p;
                    if (rnd.nextDouble() < unknownRate) {
                        if (rnd.nextBoolean()) abandoned.add(p);
                        ops.add(p.op(Op.UNKNOWN));
                        phase[c] = 3;
                    } else {
                        phase[c] = 1;
                    }
                }
                case 1 -> {
                    current[c].apply();
                    phase[c] = 2;
                }
                case 2 -> {
                    ops.add(current[c].op(tick));
                    phase[c] = 0;
                }
                case 3 -> phase[c] = 0; // gives up
                default -> throw new IllegalStateException();
            }
        }
        return ops;
    }

    /**
     * Makes one completed GET read a stale value: a value {@code a} written by a completed write W1, where a
     * completed write W2 that began after W1 returned and returned before the GET was invoked overwrote it.
     * Since every write writes a distinct value, the result is certainly not linearizable.
     * Returns the changed history, or empty if the history has no such triple.
     */
    static Optional<List<Op>> injectStaleRead(List<Op> ops, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Integer> gets = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).kind() == Op.Kind.GET && !ops.get(i).unknown()) gets.add(i);
        }
        for (int attempt = 0; attempt < 200 && !gets.isEmpty(); attempt++) {
            int gi = gets.get(rnd.nextInt(gets.size()));
            Op g = ops.get(gi);
            List<Op> sameKey = ops.stream().filter(o -> o.key().equals(g.key()) && !o.unknown()).toList();
            // W2: a completed write that changed the register, returned before g was invoked
            List<Op> w2s = sameKey.stream().filter(o -> o.ret() < g.invoke() && changes(o)).toList();
            if (w2s.isEmpty()) continue;
            Op w2 = w2s.get(rnd.nextInt(w2s.size()));
            // W1: a completed write of a value that returned before W2 was invoked
            List<Op> w1s = sameKey.stream()
                    .filter(o -> o.ret() < w2.invoke() && (o.kind() == Op.Kind.PUT || o.kind() == Op.Kind.CAS && o.ok()))
                    .toList();
            if (w1s.isEmpty()) continue;
            Op w1 = w1s.get(rnd.nextInt(w1s.size()));
            List<Op> copy = new ArrayList<>(ops);
            copy.set(gi, Op.get(g.client(), g.invoke(), g.ret(), g.key(), w1.value()));
            return Optional.of(copy);
        }
        return Optional.empty();
    }

    private static boolean changes(Op o) {
        return o.kind() == Op.Kind.PUT || o.kind() == Op.Kind.DELETE || o.kind() == Op.Kind.CAS && o.ok();
    }
}
