package io.aiondb.lincheck;

import static io.aiondb.lincheck.Op.cas;
import static io.aiondb.lincheck.Op.delete;
import static io.aiondb.lincheck.Op.get;
import static io.aiondb.lincheck.Op.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.lincheck.LinearizabilityChecker.Result;
import io.aiondb.lincheck.LinearizabilityChecker.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Small hand-written histories whose verdict is known. Times are arbitrary integers. */
class KnownHistoriesTest {

    private static final String K = "k";

    private static Result check(Op... ops) {
        return LinearizabilityChecker.check(List.of(ops), Duration.ofSeconds(10));
    }

    private static void assertLinearizable(Op... ops) {
        Result r = check(ops);
        assertThat(r.verdict()).as("%s", r).isEqualTo(Verdict.LINEARIZABLE);
    }

    private static Result assertNotLinearizable(Op... ops) {
        Result r = check(ops);
        assertThat(r.verdict()).as("%s", r).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.key()).isEqualTo(K);
        assertThat(r.explanation()).contains("key " + K, "Longest linearizable prefix");
        return r;
    }

    // ------------------------------------------------------------------ linearizable

    @Test
    void emptyHistory() {
        assertLinearizable();
    }

    @Test
    void sequentialHistory() {
        assertLinearizable(
                get(1, 0, 1, K, null),
                put(1, 2, 3, K, "a"),
                get(2, 4, 5, K, "a"),
                put(2, 6, 7, K, "b"),
                get(1, 8, 9, K, "b"),
                cas(1, 10, 11, K, "a", "x", false),
                cas(2, 12, 13, K, "b", "c", true),
                get(1, 14, 15, K, "c"),
                delete(2, 16, 17, K),
                get(1, 18, 19, K, null),
                cas(1, 20, 21, K, "c", "y", false),
                cas(2, 22, 23, K, null, "d", true),
                get(2, 24, 25, K, "d"));
    }

    @Test
    void overlappingWritesMayBeReadInEitherOrder() {
        // a then b
        assertLinearizable(put(1, 0, 10, K, "a"), put(2, 1, 11, K, "b"), get(3, 12, 13, K, "b"));
        // b then a
        assertLinearizable(put(1, 0, 10, K, "a"), put(2, 1, 11, K, "b"), get(3, 12, 13, K, "a"));
        // reads during the writes see b, then a, then nothing changes any more
        assertLinearizable(put(1, 0, 10, K, "a"), put(2, 1, 11, K, "b"),
                get(3, 2, 3, K, "b"), get(3, 4, 5, K, "a"), get(4, 12, 13, K, "a"));
        // a read concurrent with the first write may still see nothing
        assertLinearizable(put(1, 0, 10, K, "a"), get(2, 1, 2, K, null), get(2, 3, 4, K, "a"));
    }

    @Test
    void intervalsThatOnlyTouchAreConcurrent() {
        assertLinearizable(put(1, 0, 10, K, "a"), get(2, 10, 12, K, null));
    }

    @Test
    void casRaceHasOneWinner() {
        assertLinearizable(
                put(1, 0, 1, K, "0"),
                cas(2, 2, 10, K, "0", "x", false),
                cas(3, 3, 11, K, "0", "y", true),
                cas(4, 4, 12, K, "0", "z", false),
                get(1, 13, 14, K, "y"));
        // the loser may have run before the winner and still failed if the value was different then
        assertLinearizable(
                put(1, 0, 5, K, "0"),
                cas(2, 1, 2, K, "0", "x", false),
                cas(3, 3, 11, K, "0", "y", true),
                get(1, 13, 14, K, "y"));
        // create-if-absent race
        assertLinearizable(
                cas(1, 0, 10, K, null, "x", true),
                cas(2, 1, 11, K, null, "y", false),
                get(3, 12, 13, K, "x"));
    }

    @Test
    void unknownWriteThatTookEffect() {
        assertLinearizable(
                put(1, 0, 1, K, "a"),
                put(2, 2, 3, K, "b").asUnknown(),
                get(1, 10, 11, K, "b"),
                get(3, 12, 13, K, "b"));
    }

    @Test
    void unknownWriteThatNeverTookEffect() {
        assertLinearizable(
                put(1, 0, 1, K, "a"),
                put(2, 2, 3, K, "b").asUnknown(),
                get(1, 10, 11, K, "a"),
                get(3, 100, 101, K, "a"));
    }

    @Test
    void unknownWriteMayTakeEffectLongAfterItsClientMovedOn() {
        assertLinearizable(
                put(1, 0, 1, K, "a"),
                put(1, 2, 3, K, "b").asUnknown(),  // client 1 gives up ...
                put(1, 4, 5, K, "c"),              // ... and goes on
                get(2, 6, 7, K, "c"),
                get(2, 8, 9, K, "b"),              // the old PUT lands only now
                get(1, 10, 11, K, "b"));
    }

    @Test
    void unknownCasAndDelete() {
        assertLinearizable(
                put(1, 0, 1, K, "a"),
                cas(2, 2, 2, K, "a", "b", false).asUnknown(),
                get(1, 3, 4, K, "b"),
                delete(2, 5, 5, K).asUnknown(),
                put(1, 6, 7, K, "c"),
                get(1, 8, 9, K, "c"),
                get(3, 10, 11, K, "c"));
        // an unknown CAS whose expected value never held did nothing
        assertLinearizable(
                put(1, 0, 1, K, "a"),
                cas(2, 2, 2, K, "zz", "b", false).asUnknown(),
                get(1, 3, 4, K, "a"));
    }

    @Test
    void unknownGetsAreIgnored() {
        assertLinearizable(put(1, 0, 1, K, "a"), get(2, 2, 3, K, "nonsense").asUnknown(), get(1, 4, 5, K, "a"));
    }

    @Test
    void manyPendingUnknownWritesStayCheap() {
        List<Op> ops = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < 60; i++) ops.add(put(i, t++, t++, K, "u" + i).asUnknown());
        for (int i = 0; i < 500; i++) {
            ops.add(put(100, t++, t++, K, "v" + i));
            ops.add(get(101, t++, t++, K, "v" + i));
        }
        ops.add(get(101, t++, t++, K, "u17"));
        ops.add(get(101, t++, t++, K, "u17"));
        ops.add(cas(101, t++, t++, K, "u17", "w", true));
        ops.add(get(101, t++, t++, K, "w"));
        Result r = LinearizabilityChecker.check(ops, Duration.ofSeconds(10));
        assertThat(r.verdict()).as("%s", r).isEqualTo(Verdict.LINEARIZABLE);
        // ... and a violation among them is still found: u17 cannot come back after being overwritten
        ops.add(get(101, t++, t++, K, "u17"));
        r = LinearizabilityChecker.check(ops, Duration.ofSeconds(10));
        assertThat(r.verdict()).as("%s", r).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void deletes() {
        assertLinearizable(
                put(1, 0, 1, K, "a"),
                delete(2, 2, 10, K),
                get(3, 3, 4, K, "a"),   // before the delete took effect
                get(3, 5, 6, K, null),  // after
                get(1, 11, 12, K, null),
                cas(1, 13, 14, K, null, "b", true),
                delete(1, 15, 16, K),
                delete(2, 17, 18, K),   // deleting an absent key is fine
                get(2, 19, 20, K, null));
    }

    @Test
    void keysAreIndependent() {
        assertLinearizable(
                put(1, 0, 1, "x", "a"),
                put(1, 2, 3, "y", "b"),
                get(2, 4, 5, "x", "a"),
                get(2, 6, 7, "y", "b"),
                get(2, 8, 9, "z", null));
    }

    // ------------------------------------------------------------------ not linearizable

    @Test
    void staleReadAfterCompletedWrite() {
        Result r = assertNotLinearizable(put(1, 0, 1, K, "a"), put(1, 2, 3, K, "b"), get(2, 4, 5, K, "a"));
        assertThat(r.explanation()).contains("read \"a\" but the register holds \"b\"");
    }

    @Test
    void readOfAValueNeverWritten() {
        assertNotLinearizable(put(1, 0, 1, K, "a"), get(2, 2, 3, K, "ghost"));
        assertNotLinearizable(get(2, 0, 1, K, "ghost"));
        // a value from another key does not count
        assertNotLinearizable(put(1, 0, 1, "other", "a"), get(2, 2, 3, K, "a"));
    }

    @Test
    void readsObservingWritesInOppositeOrders() {
        assertNotLinearizable(
                put(1, 0, 100, K, "a"),
                put(2, 0, 100, K, "b"),
                get(3, 10, 20, K, "a"), get(3, 30, 40, K, "b"),   // a before b
                get(4, 50, 60, K, "b"), get(4, 70, 80, K, "a"));  // b before a
    }

    @Test
    void casSucceedingTwiceWithTheSameExpectedValue() {
        assertNotLinearizable(
                put(1, 0, 1, K, "0"),
                cas(2, 2, 10, K, "0", "x", true),
                cas(3, 3, 11, K, "0", "y", true));
    }

    @Test
    void casThatFailedAlthoughTheValueMatched() {
        Result r = assertNotLinearizable(put(1, 0, 1, K, "a"), cas(2, 2, 3, K, "a", "b", false));
        assertThat(r.explanation()).contains("failed although the register holds the expected \"a\"");
    }

    @Test
    void lostAcknowledgedWrite() {
        assertNotLinearizable(put(1, 0, 1, K, "a"), get(2, 10, 11, K, "a"), get(2, 12, 13, K, null));
        assertNotLinearizable(put(1, 0, 1, K, "a"), cas(1, 2, 3, K, "a", "b", true), get(2, 4, 5, K, "a"));
    }

    @Test
    void unknownWriteCannotTakeEffectBeforeItWasInvoked() {
        assertNotLinearizable(put(1, 0, 1, K, "a"), get(2, 2, 3, K, "b"), put(1, 5, 6, K, "b").asUnknown());
    }

    @Test
    void unknownWriteTakesEffectAtMostOnce() {
        assertNotLinearizable(
                put(1, 0, 1, K, "a"),
                put(2, 2, 3, K, "b").asUnknown(),
                get(1, 4, 5, K, "b"),
                put(1, 6, 7, K, "c"),
                get(1, 8, 9, K, "b"));
    }

    @Test
    void runningOutOfTimeIsReportedAsUndecided() {
        List<Op> ops = Histories.simulate(1, 4, 1, 5_000, 0.02);
        assertThat(LinearizabilityChecker.check(ops, Duration.ofSeconds(10)).verdict()).isEqualTo(Verdict.LINEARIZABLE);
        Result r = LinearizabilityChecker.check(ops, Duration.ZERO);
        assertThat(r.verdict()).as("%s", r).isEqualTo(Verdict.TIMEOUT);
        assertThat(r.key()).isEqualTo("k0");
        assertThat(r.linearizable()).isFalse();
    }

    @Test
    void reportsTheBrokenKeyAmongGoodOnes() {
        List<Op> ops = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            ops.add(put(1, 10L * k, 10L * k + 1, "key" + k, "v"));
            ops.add(get(2, 10L * k + 2, 10L * k + 3, "key" + k, k == 13 ? "w" : "v"));
        }
        Result r = LinearizabilityChecker.check(ops, Duration.ofSeconds(10));
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.key()).isEqualTo("key13");
        assertThat(LinearizabilityChecker.check(ops, Duration.ofSeconds(10), 1).key()).isEqualTo("key13");
    }
}
