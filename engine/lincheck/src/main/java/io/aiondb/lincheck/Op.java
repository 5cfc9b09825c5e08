package io.aiondb.lincheck;

import java.util.Objects;

/**
 * One operation of a recorded key-value history: who ran it, when it was invoked, when it returned,
 * what it asked and what it got back.
 *
 * <p>The model is a map of independent registers, one per key, all initially absent:
 * <ul>
 *   <li>{@link Kind#PUT PUT(key, value)}: sets the register to {@code value} (never {@code null}).
 *       Returns nothing.</li>
 *   <li>{@link Kind#GET GET(key)}: returns the register's value in {@link #output()}, {@code null} if absent.</li>
 *   <li>{@link Kind#DELETE DELETE(key)}: makes the register absent. Returns nothing.</li>
 *   <li>{@link Kind#CAS CAS(key, expected, value)}: if the register holds {@code expected}
 *       ({@code expected == null} means "is absent") sets it to {@code value} (never {@code null}) and
 *       returns {@code ok = true}; otherwise changes nothing and returns {@code ok = false}.</li>
 * </ul>
 *
 * <p>Times are {@link System#nanoTime()}-style longs from one clock. An operation took effect atomically
 * at some instant in {@code [invoke, ret]}. Two operations whose intervals merely touch
 * ({@code a.ret == b.invoke}) are treated as concurrent.
 *
 * <p><b>Unknown outcome.</b> {@code ret == }{@link #UNKNOWN} ({@link Long#MAX_VALUE}) means the client
 * never learnt the outcome (timeout, lost connection, crashed server): the operation may have taken effect
 * at any instant after {@code invoke}, or never, and its {@code output}/{@code ok} are ignored. The client
 * may have gone on with other operations meanwhile, so no per-client order is assumed for such operations.
 * Unknown GETs constrain nothing and are ignored by the checker.
 *
 * <p>Operations that definitely did not take effect (a definite error) must not appear in a history at all;
 * note that a CAS that returned {@code false} is not a failure but a normal completed operation.
 *
 * @param client   the id of the client (thread, connection) that ran it; informational only
 * @param invoke   when the client sent it
 * @param ret      when the client received the response, or {@link #UNKNOWN}
 * @param kind     the operation
 * @param key      the key, never {@code null}
 * @param value    PUT: the value written; CAS: the new value; otherwise {@code null}
 * @param expected CAS: the expected current value ({@code null} = absent); otherwise {@code null}
 * @param output   GET: the value read ({@code null} = absent); otherwise {@code null}
 * @param ok       CAS: whether it swapped; ignored for other kinds and for unknown outcomes
 */
public record Op(int client, long invoke, long ret, Kind kind, String key, String value, String expected,
                 String output, boolean ok) {

    /** The return time of an operation whose outcome is unknown: it never returns. */
    public static final long UNKNOWN = Long.MAX_VALUE;

    /** The operations of the key-value model. */
    public enum Kind { PUT, GET, DELETE, CAS }

    /** Validates the fields; see the class documentation. */
    public Op {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        if (ret < invoke) {
            throw new IllegalArgumentException("returns (" + ret + ") before it is invoked (" + invoke + "): " + kind + " " + key);
        }
        switch (kind) {
            case PUT -> {
                Objects.requireNonNull(value, "PUT needs a value");
                if (expected != null || output != null) throw new IllegalArgumentException("PUT has no expected value nor output");
            }
            case GET -> {
                if (value != null || expected != null) throw new IllegalArgumentException("GET has no value nor expected value");
            }
            case DELETE -> {
                if (value != null || expected != null || output != null) throw new IllegalArgumentException("DELETE has no value, expected value nor output");
            }
            case CAS -> {
                Objects.requireNonNull(value, "CAS needs a new value");
                if (output != null) throw new IllegalArgumentException("CAS has no output (its result is ok)");
            }
        }
        if (ret == UNKNOWN) { // normalise: the outcome of an unknown operation is unconstrained
            output = null;
            ok = false;
        } else if (kind != Kind.CAS) {
            ok = true;
        }
    }

    /** A completed PUT. */
    public static Op put(int client, long invoke, long ret, String key, String value) {
        return new Op(client, invoke, ret, Kind.PUT, key, value, null, null, true);
    }

    /** A completed GET that read {@code output} ({@code null} = absent). */
    public static Op get(int client, long invoke, long ret, String key, String output) {
        return new Op(client, invoke, ret, Kind.GET, key, null, null, output, true);
    }

    /** A completed DELETE. */
    public static Op delete(int client, long invoke, long ret, String key) {
        return new Op(client, invoke, ret, Kind.DELETE, key, null, null, null, true);
    }

    /** A completed CAS from {@code expected} ({@code null} = absent) to {@code value} that returned {@code ok}. */
    public static Op cas(int client, long invoke, long ret, String key, String expected, String value, boolean ok) {
        return new Op(client, invoke, ret, Kind.CAS, key, value, expected, null, ok);
    }

    /** This operation with its outcome unknown: it may take effect at any time after {@link #invoke()}, or never. */
    public Op asUnknown() {
        return new Op(client, invoke, UNKNOWN, kind, key, value, expected, null, false);
    }

    /** Whether the outcome of this operation is unknown. */
    public boolean unknown() {
        return ret == UNKNOWN;
    }

    /** A short human-readable rendering, e.g. {@code c3 CAS(k, "a"->"b")=true [100, 250]}. */
    public String describe() {
        String what = switch (kind) {
            case PUT -> "PUT(" + key + ", " + quote(value) + ")";
            case GET -> "GET(" + key + ")" + (unknown() ? "" : "=" + quote(output));
            case DELETE -> "DELETE(" + key + ")";
            case CAS -> "CAS(" + key + ", " + quote(expected) + "->" + quote(value) + ")" + (unknown() ? "" : "=" + ok);
        };
        return "c" + client + " " + what + " [" + invoke + ", " + (unknown() ? "?" : Long.toString(ret)) + "]";
    }

    static String quote(String s) {
        return s == null ? "absent" : '"' + s + '"';
    }
}
