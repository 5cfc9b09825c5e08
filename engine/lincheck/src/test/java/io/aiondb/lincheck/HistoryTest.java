package io.aiondb.lincheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.lincheck.LinearizabilityChecker.Verdict;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {

    @Test
    void recordsCompletionsAndDropsDefiniteFailures() {
        AtomicLong clock = new AtomicLong();
        History h = new History(() -> clock.incrementAndGet() * 10);
        long put = h.invoke(1, Op.Kind.PUT, "k", "a", null);           // t=10
        long get = h.invoke(2, Op.Kind.GET, "k", null, null);          // t=20
        h.ok(put);                                                      // t=30
        h.ok(get, "a");                                                 // t=40
        long cas = h.invoke(1, Op.Kind.CAS, "k", "b", "a");            // t=50
        h.ok(cas, false);                                               // t=60
        long failed = h.invoke(2, Op.Kind.DELETE, "k", null, null);    // t=70
        h.fail(failed);                                                 // t=80
        long lost = h.invoke(2, Op.Kind.PUT, "k", "c", null);          // t=90
        h.unknown(lost);                                                // t=100
        h.invoke(3, Op.Kind.DELETE, "k", null, null);                  // t=110, never completes

        assertThat(h.ops()).containsExactly(
                Op.put(1, 10, 30, "k", "a"),
                Op.get(2, 20, 40, "k", "a"),
                Op.cas(1, 50, 60, "k", "a", "b", false),
                Op.put(2, 90, 90, "k", "c").asUnknown(),
                Op.delete(3, 110, 110, "k").asUnknown());

        assertThatThrownBy(() -> h.ok(put)).isInstanceOf(IllegalStateException.class);
        long g2 = h.invoke(1, Op.Kind.GET, "k", null, null);
        assertThatThrownBy(() -> h.ok(g2, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.invoke(1, Op.Kind.PUT, "k", null, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void saveAndLoadRoundTrip(@TempDir Path dir) throws Exception {
        List<Op> ops = List.of(
                Op.put(1, 10, 30, "k", "a"),
                Op.get(2, 20, 40, "k", null),
                Op.get(2, 41, 42, "k", ""),
                Op.cas(3, -5, Long.MAX_VALUE - 1, "key with spaces", null, "v\"q\"%20\n\t\r\u0000\u007f é ☃ 😀", true),
                Op.cas(3, 50, 60, "", "x y", "z", false),
                Op.delete(4, 70, 80, "#not-a-comment"),
                Op.put(5, 90, 90, "k", "lost").asUnknown(),
                Op.get(6, 95, 95, "k", null).asUnknown(),
                Op.cas(7, 99, 99, "k", "-", "?", false).asUnknown());
        Path file = dir.resolve("h.history");
        History.save(ops, file);
        assertThat(History.load(file)).isEqualTo(ops);
        assertThat(java.nio.file.Files.readAllLines(file)).hasSize(ops.size() + 1); // header + one line per op

        // a recorded history saves the same way
        History h = new History();
        long x = h.invoke(1, Op.Kind.PUT, "k", "a b", null);
        h.ok(x);
        h.save(file);
        assertThat(History.load(file)).isEqualTo(h.ops());
    }

    @Test
    void replaysAFailingHistoryFromText() {
        String text = """
                # a stale read
                1 0 1 PUT "k" "a" - - true

                1 2 3 PUT "k" "b" - - true
                2 4 5 GET "k" - - "a" true
                3 6 ? PUT "k" "a" - - false
                """;
        List<Op> ops = History.parse(text);
        assertThat(ops).hasSize(4);
        assertThat(ops.get(3).unknown()).isTrue();
        // the unknown PUT of "a" comes too late to explain the read
        assertThat(LinearizabilityChecker.check(ops, Duration.ofSeconds(5)).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void rejectsMalformedLines() {
        assertThatThrownBy(() -> History.parse("1 0 1 PUT \"k\" \"a\" - -")).hasMessageContaining("line 1");
        assertThatThrownBy(() -> History.parse("1 0 1 PUT k \"a\" - - true")).hasMessageContaining("bad string");
        assertThatThrownBy(() -> History.parse("1 0 1 PUT \"k\" \"a%2\" - - true")).hasMessageContaining("truncated");
        assertThatThrownBy(() -> History.parse("1 5 1 PUT \"k\" \"a\" - - true")).hasMessageContaining("before it is invoked");
        assertThatThrownBy(() -> History.parse("1 0 1 SWAP \"k\" \"a\" - - true")).hasMessageContaining("SWAP");
    }
}
