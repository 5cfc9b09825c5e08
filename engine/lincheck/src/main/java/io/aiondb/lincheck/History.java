package io.aiondb.lincheck;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A thread-safe recorder of a key-value history, plus a line-based file format to save and replay one.
 *
 * <p>Usage by a client thread: {@code long h = history.invoke(client, kind, key, value, expected)} right
 * before sending the request, then exactly one of
 * <ul>
 *   <li>{@link #ok(long)} (PUT, DELETE), {@link #ok(long, String)} (GET, with the value read or
 *       {@code null}), {@link #ok(long, boolean)} (CAS, with whether it swapped) when the response came;</li>
 *   <li>{@link #fail(long)} when the operation definitely did <em>not</em> take effect (e.g. rejected before
 *       being proposed). Such operations are left out of {@link #ops()};</li>
 *   <li>{@link #unknown(long)} when the outcome is unknown (timeout, connection lost, server crashed): the
 *       operation may take effect at any time later, or never. The client may then go on with new operations.</li>
 * </ul>
 * Timestamps are taken inside these calls ({@link System#nanoTime()} by default), so the recorded interval
 * always contains the real one. An operation never completed when {@link #ops()} is called counts as unknown.
 *
 * <p><b>File format</b> ({@link #save}, {@link #parse}): UTF-8 text, one operation per line, {@code #} comments
 * and blank lines ignored. Fields separated by one space:
 * <pre>client invoke ret kind key value expected output ok</pre>
 * {@code ret} is {@code ?} for an unknown outcome; strings are {@code -} for {@code null}, otherwise written
 * in double quotes with {@code %}, {@code "}, space, control characters and DEL percent-escaped as
 * {@code %XX}; {@code ok} is {@code true} or {@code false}. Example:
 * <pre>
 * 3 1000 2000 CAS "k%201" "v1" "v2" - true
 * 4 1500 ? PUT "k%201" "v3" - - false
 * </pre>
 */
public final class History {

    private static final String HEADER = "# aion-lincheck history v1: client invoke ret kind key value expected output ok";

    private final LongSupplier clock;
    private final List<Entry> entries = new ArrayList<>();

    private enum Status { PENDING, OK, FAILED, UNKNOWN }

    private static final class Entry {
        final int client;
        final long invoke;
        final Op.Kind kind;
        final String key, value, expected;
        Status status = Status.PENDING;
        long ret;
        String output;
        boolean ok;

        Entry(int client, long invoke, Op.Kind kind, String key, String value, String expected) {
            this.client = client;
            this.invoke = invoke;
            this.kind = kind;
            this.key = key;
            this.value = value;
            this.expected = expected;
        }

        Op toOp() {
            return switch (status) {
                case OK -> new Op(client, invoke, ret, kind, key, value, expected, output, ok);
                case PENDING, UNKNOWN -> new Op(client, invoke, Op.UNKNOWN, kind, key, value, expected, null, false);
                case FAILED -> throw new IllegalStateException();
            };
        }
    }

    /** A recorder using {@link System#nanoTime()}. */
    public History() {
        this(System::nanoTime);
    }

    /** A recorder using the given monotonic clock (e.g. a fake one in tests). */
    public History(LongSupplier clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Records the invocation of an operation and returns its handle.
     *
     * @param value    PUT: the value; CAS: the new value; otherwise {@code null}
     * @param expected CAS: the expected value ({@code null} = absent); otherwise {@code null}
     */
    public long invoke(int client, Op.Kind kind, String key, String value, String expected) {
        // validate eagerly (the same rules as Op), so that a bad call fails at its call site
        new Op(client, 0, Op.UNKNOWN, kind, key, value, expected, null, false);
        long now = clock.getAsLong();
        synchronized (entries) {
            entries.add(new Entry(client, now, kind, key, value, expected));
            return entries.size() - 1;
        }
    }

    /** A PUT or DELETE completed. */
    public void ok(long handle) {
        complete(handle, Status.OK, null, true, Op.Kind.PUT, Op.Kind.DELETE);
    }

    /** A GET completed and read {@code output} ({@code null} = absent). */
    public void ok(long handle, String output) {
        complete(handle, Status.OK, output, true, Op.Kind.GET);
    }

    /** A CAS completed; {@code swapped} is what it returned. */
    public void ok(long handle, boolean swapped) {
        complete(handle, Status.OK, null, swapped, Op.Kind.CAS);
    }

    /** The operation definitely did not take effect; it is left out of the history. */
    public void fail(long handle) {
        complete(handle, Status.FAILED, null, false);
    }

    /** The outcome is unknown: the operation may take effect at any later time, or never. */
    public void unknown(long handle) {
        complete(handle, Status.UNKNOWN, null, false);
    }

    private void complete(long handle, Status status, String output, boolean ok, Op.Kind... kinds) {
        long now = clock.getAsLong();
        synchronized (entries) {
            if (handle < 0 || handle >= entries.size()) throw new IllegalArgumentException("no such handle: " + handle);
            Entry e = entries.get((int) handle);
            if (e.status != Status.PENDING) throw new IllegalStateException("operation " + handle + " already completed as " + e.status);
            if (kinds.length > 0 && !List.of(kinds).contains(e.kind)) {
                throw new IllegalArgumentException("wrong completion for a " + e.kind + " (handle " + handle + ")");
            }
            e.status = status;
            e.ret = now;
            e.output = output;
            e.ok = ok;
        }
    }

    /**
     * The history so far, in invocation order: completed and unknown operations (still-pending ones as unknown),
     * without the definitely failed ones.
     */
    public List<Op> ops() {
        synchronized (entries) {
            List<Op> ops = new ArrayList<>(entries.size());
            for (Entry e : entries) {
                if (e.status != Status.FAILED) ops.add(e.toOp());
            }
            return ops;
        }
    }

    // ------------------------------------------------------------------ file format

    /** Writes {@link #ops()} to {@code file}. */
    public void save(Path file) throws IOException {
        save(ops(), file);
    }

    /** Writes {@code ops} to {@code file} in the line format described in the class documentation. */
    public static void save(List<Op> ops, Path file) throws IOException {
        Files.writeString(file, format(ops), StandardCharsets.UTF_8);
    }

    /** Reads a file written by {@link #save}. */
    public static List<Op> load(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Renders {@code ops} in the line format. */
    public static String format(List<Op> ops) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Op op : ops) {
            sb.append(op.client()).append(' ').append(op.invoke()).append(' ')
              .append(op.unknown() ? "?" : Long.toString(op.ret())).append(' ')
              .append(op.kind()).append(' ');
            appendString(sb, op.key()).append(' ');
            appendString(sb, op.value()).append(' ');
            appendString(sb, op.expected()).append(' ');
            appendString(sb, op.output()).append(' ');
            sb.append(op.ok()).append('\n');
        }
        return sb.toString();
    }

    /** Parses the line format. */
    public static List<Op> parse(String text) {
        List<Op> ops = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new StringReader(text))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) continue;
                String[] f = l.split(" ");
                if (f.length != 9) throw new IllegalArgumentException("line " + n + ": expected 9 fields, got " + f.length + ": " + line);
                try {
                    boolean ok = switch (f[8]) {
                        case "true" -> true;
                        case "false" -> false;
                        default -> throw new IllegalArgumentException("bad ok field " + f[8]);
                    };
                    ops.add(new Op(Integer.parseInt(f[0]), Long.parseLong(f[1]),
                            f[2].equals("?") ? Op.UNKNOWN : Long.parseLong(f[2]), Op.Kind.valueOf(f[3]),
                            readString(f[4]), readString(f[5]), readString(f[6]), readString(f[7]), ok));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("line " + n + ": " + e.getMessage() + ": " + line, e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ops;
    }

    private static StringBuilder appendString(StringBuilder sb, String s) {
        if (s == null) return sb.append('-');
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '%' || c == '"') {
                sb.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"');
    }

    private static String readString(String f) {
        if (f.equals("-")) return null;
        if (f.length() < 2 || f.charAt(0) != '"' || f.charAt(f.length() - 1) != '"') {
            throw new IllegalArgumentException("bad string field " + f);
        }
        StringBuilder sb = new StringBuilder(f.length());
        for (int i = 1; i < f.length() - 1; i++) {
            char c = f.charAt(i);
            if (c == '%') {
                if (i + 2 > f.length() - 2) throw new IllegalArgumentException("truncated escape in " + f);
                sb.append((char) Integer.parseInt(f, i + 1, i + 3, 16));
                i += 2;
            } else if (c == '"') {
                throw new IllegalArgumentException("unescaped quote in " + f);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
