package vigil.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The set workload's checks on synthetic histories, each with a planted lost write, double apply or stale read. */
class SetWorkloadTest {
    private final List<SetWorkload.Ack> acks = new ArrayList<>();
    private final Set<String> written = new HashSet<>();
    private final List<SetWorkload.Read> reads = new ArrayList<>();

    void ack(int round, String id, long at) {
        written.add(id);
        acks.add(new SetWorkload.Ack(round, id, at));
    }

    void read(long start, long end, long version, String blob) {
        reads.add(new SetWorkload.Read("n1", start, end, version, SetWorkload.round(blob), SetWorkload.ids(blob)));
    }

    List<String> check() { return SetWorkload.check(acks, written, reads); }

    @Test
    void blob_addsToTheRoundAndStartsAFreshSetInANewRound() {
        String b = SetWorkload.add(null, 1, "1.1");
        b = SetWorkload.add(b, 1, "1.2");
        assertEquals("1 1.1 1.2", b);
        assertEquals(1, SetWorkload.round(b));
        assertEquals(List.of("1.1", "1.2"), SetWorkload.ids(b));
        assertEquals("2 2.3", SetWorkload.add(b, 2, "2.3"));
        assertEquals(List.of(), SetWorkload.ids(null));
    }

    @Test
    void check_everyAcknowledgedIdInTheFinalRead_passes() {
        ack(1, "1.1", 10);
        ack(1, "1.2", 20);
        written.add("1.3"); // sent, not acknowledged: may or may not be there
        read(30, 40, 7, "1 1.1 1.2 1.3");
        assertEquals(List.of(), check());
    }

    @Test
    void check_aRolledBackWriteThatLaterWritesWouldHaveOverwritten_isLost() {
        // a counter would read 3 and look fine; the set shows that 1.2 is gone
        ack(1, "1.1", 10);
        ack(1, "1.2", 20);
        ack(1, "1.3", 30);
        read(40, 50, 9, "1 1.1 1.3");
        List<String> v = check();
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).startsWith("acknowledged change missing") && v.get(0).contains("1.2"), v.toString());
    }

    @Test
    void check_aLostIdIsReportedOnceWithTheFirstReadThatLacksIt() {
        ack(1, "1.1", 10);
        ack(1, "1.2", 20);
        read(30, 40, 9, "1 1.1");
        read(50, 60, 10, "1 1.1");
        List<String> v = check();
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).contains("1.2") && v.get(0).contains("from " + Evidence.instant(30)), v.toString());
    }

    @Test
    void check_anIdAcknowledgedAfterTheReadBegan_isNotExpected() {
        ack(1, "1.1", 10);
        ack(1, "1.2", 45);
        read(40, 50, 9, "1 1.1");
        assertEquals(List.of(), check());
    }

    @Test
    void check_anIdAppliedTwice_isReported() {
        ack(1, "1.1", 10);
        ack(1, "1.2", 20);
        read(30, 40, 9, "1 1.1 1.2 1.2");
        List<String> v = check();
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).startsWith("change applied twice") && v.get(0).contains("1.2"), v.toString());
    }

    @Test
    void check_anIdNeverWritten_isReported() {
        ack(1, "1.1", 10);
        read(30, 40, 9, "1 1.1 1.7");
        assertTrue(check().get(0).startsWith("unknown change"), check().toString());
    }

    @Test
    void check_aReadOfAnOlderRoundAfterTheNewRoundWasAcknowledged_isMissing() {
        ack(1, "1.1", 10);
        ack(2, "2.2", 20);
        read(30, 40, 9, "1 1.1");
        assertTrue(check().get(0).startsWith("acknowledged change missing") && check().get(0).contains("round 2"), check().toString());
    }

    @Test
    void check_aReadOlderThanOneThatEndedBeforeIt_isStale() {
        ack(1, "1.1", 10);
        read(20, 30, 9, "1 1.1");
        read(40, 50, 8, "1 1.1");
        List<String> v = check();
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).startsWith("stale read"), v.toString());
    }

    @Test
    void check_overlappingReadsMayReturnEitherState() {
        read(20, 60, 9, "1 1.1");
        read(40, 50, 8, "1");
        written.add("1.1");
        assertEquals(List.of(), check());
    }

    @Test
    void check_aReadOlderThanTheFloorOfForgottenReads_isStale() {
        SetWorkload.Read floor = new SetWorkload.Read("n2", 1, 5, 12, 1, List.of());
        read(10, 20, 11, "1");
        assertTrue(SetWorkload.check(acks, written, reads, floor).get(0).startsWith("stale read"));
        assertEquals(List.of(), SetWorkload.check(acks, written, List.of(new SetWorkload.Read("n1", 3, 20, 11, 1, List.of())), floor));
    }

    @Test
    void forget_whileTheClusterStillHoldsAnOlderRound_keepsThatRoundsChanges() {
        // round 2 acknowledged two changes; no change of round 3 committed, so the cluster still holds round 2's set
        ack(2, "2.1", 1);
        ack(2, "2.2", 2);
        read(3, 4, 81, "2 2.1 2.2");
        SetWorkload.Read floor = SetWorkload.forget(3, acks, written, reads, null);
        assertEquals(81, floor.version());
        floor = SetWorkload.forget(4, acks, written, reads, floor);

        // a read in round 4 of that same state holds ids the workload wrote: nothing to report
        read(10, 11, 81, "2 2.1 2.2");
        assertEquals(List.of(), SetWorkload.check(acks, written, reads, floor));
        // and a lost one of them is still caught
        reads.clear();
        read(10, 11, 82, "2 2.1");
        assertTrue(SetWorkload.check(acks, written, reads, floor).get(0).startsWith("acknowledged change missing: 2.2"),
                SetWorkload.check(acks, written, reads, floor).toString());
    }

    @Test
    void forget_onceTheClusterHoldsTheNewRound_dropsOlderRounds() {
        ack(2, "2.1", 1);
        ack(3, "3.2", 2);
        read(3, 4, 82, "3 3.2");
        SetWorkload.forget(3, acks, written, reads, null);
        assertEquals(Set.of("3.2"), written);
        assertEquals(List.of(new SetWorkload.Ack(3, "3.2", 2)), acks);
    }
}
