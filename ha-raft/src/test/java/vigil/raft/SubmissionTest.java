package vigil.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.engine.state.Command;
import vigil.engine.state.StateTransitions;
import vigil.raft.proto.CommandP;
import vigil.raft.proto.LogEntryP;
import vigil.raft.proto.SetMembershipP;

/** Sealed submissions, the leader's strict decoding, and the origin checks every replica makes when it applies. */
class SubmissionTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    private static final byte[] ENTRY = LogCodec.encodeEntry(null, List.of(new Command.PutBlob("b", "x")));

    @Test
    void seal_opensOnlyWithTheSameSecret_andNamesItsSender() throws Exception {
        SubmissionSeal seal = new SubmissionSeal("s3cret");
        SubmissionSeal.Opened o = seal.open(seal.seal("n2", ENTRY));
        assertEquals("n2", o.origin());
        assertTrue(java.util.Arrays.equals(ENTRY, o.entry()));
        SubmissionSeal.NotSealed wrong = assertThrows(SubmissionSeal.NotSealed.class, () -> new SubmissionSeal("other").open(seal.seal("n2", ENTRY)));
        assertFalse(wrong.getMessage().contains("s3cret"));
        assertThrows(SubmissionSeal.NotSealed.class, () -> seal.open(ENTRY), "an unsealed entry");
        // the seal covers the sender: renaming it breaks the seal
        byte[] sealed = seal.seal("n2", ENTRY);
        vigil.raft.proto.SubmissionP renamed = vigil.raft.proto.SubmissionP.parseFrom(sealed).toBuilder().setOrigin("n1").build();
        assertThrows(SubmissionSeal.NotSealed.class, () -> seal.open(renamed.toByteArray()));
    }

    @Test
    void decodeSubmitted_refusesAnOrigin_unknownValues_andEmptyEntries() throws Exception {
        assertEquals(1, LogCodec.decodeSubmitted(ENTRY).commands().size());
        assertThrows(IllegalArgumentException.class, () -> LogCodec.decodeSubmitted(LogCodec.withOrigin(ENTRY, "n1", true)));
        // the leader stamps the cluster time: a submitter's own time is refused
        assertThrows(IllegalArgumentException.class, () -> LogCodec.decodeSubmitted(LogCodec.stamp(ENTRY, T)));
        byte[] unknownEnum = LogEntryP.newBuilder().addCommands(CommandP.newBuilder().setSetMembership(
                SetMembershipP.newBuilder().setNode("n1").setMembershipValue(42))).build().toByteArray();
        assertThrows(IllegalArgumentException.class, () -> LogCodec.decodeSubmitted(unknownEnum));
        byte[] unknownField = LogEntryP.newBuilder().addCommands(CommandP.newBuilder()).build().toByteArray();
        assertThrows(IllegalArgumentException.class, () -> LogCodec.decodeSubmitted(unknownField));
        assertThrows(IllegalArgumentException.class, () -> LogCodec.decodeSubmitted(LogCodec.encodeEntry(null, List.of())));
    }

    @Test
    void applyBatch_refusesControllerCommandsOfAnotherTerm_andEntriesWithoutOrigin() {
        ClusterState s = StateTransitions.apply(StateTransitions.apply(ClusterState.EMPTY, new Command.ReplaceConfig(
                ClusterConfig.builder().node(Node.member("n1", "a:1")).node(Node.member("n2", "b:1")).build(), -1), T), new Command.LeaderElected("n1", 3), T);
        Command fenced = new Command.RecordFence(new FenceEvent("n2", "off", List.of("d"), "n1", true, T, ""));
        VigilStateMachine.Batch stale = VigilStateMachine.applyBatch(s, new LogCodec.Entry(T, List.of(fenced), "n1", true), 2);
        assertSame(s, stale.state());
        assertEquals("origin", stale.results().get(0).getField());
        assertEquals(1, stale.refusals().size());
        VigilStateMachine.Batch nobody = VigilStateMachine.applyBatch(s, new LogCodec.Entry(T, List.of(new Command.PutBlob("b", "x"))), 3);
        assertSame(s, nobody.state());
        VigilStateMachine.Batch current = VigilStateMachine.applyBatch(s, new LogCodec.Entry(T, List.of(fenced), "n1", true), 3);
        assertEquals(Membership.OFFLINE, current.state().node("n2").membership());
    }
}
