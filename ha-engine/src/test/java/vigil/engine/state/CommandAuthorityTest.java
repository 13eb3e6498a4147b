package vigil.engine.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.OcfCode;

class CommandAuthorityTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
    /** n1 is the controller of term 5. */
    private static final ClusterState S = StateTransitions.apply(StateTransitions.apply(ClusterState.EMPTY, new Command.ReplaceConfig(
            ClusterConfig.builder().node(Node.member("n1", "a:1")).node(Node.member("n2", "b:1")).node(Node.member("n3", "c:1")).build(), -1), T),
            new Command.LeaderElected("n1", 5), T);

    private static final Command FENCED = new Command.RecordFence(new FenceEvent("n2", "off", List.of("d"), "n1", true, T, ""));
    private static final Command UNCLEAN = new Command.SetMembership("n2", Membership.UNCLEAN, "no reply");
    private static final Command PENDING = op("n2", OcfCode.PENDING);

    private static Command op(String node, OcfCode code) {
        return new Command.RecordOperation("d1", node, "start", Duration.ZERO, code, Duration.ZERO, "", "", OptionalInt.empty());
    }

    private static boolean allowed(Command c, String node, boolean controller, long term) {
        return CommandAuthority.refusal(S, c, new CommandAuthority.Origin(node, controller, term)).isEmpty();
    }

    @Test
    void controllerCommands_onlyFromTheControllerOfTheRecordedTerm() {
        for (Command c : List.of(FENCED, UNCLEAN, PENDING)) {
            assertTrue(allowed(c, "n1", true, 5), c.toString());
            assertTrue(!allowed(c, "n3", false, 5), "from a node: " + c);
            assertTrue(!allowed(c, "n1", false, 5), "from the leader's node, not its controller: " + c);
            assertTrue(!allowed(c, "n1", true, 4), "from an older term: " + c);
            assertTrue(!allowed(c, "n1", true, 6), "from a term whose controller has not announced itself: " + c);
            assertTrue(!allowed(c, "n3", true, 5), "from a controller that is not the recorded one: " + c);
        }
    }

    @Test
    void leaderElected_namesTheControllerThatSentItAndTheEntrysTerm() {
        assertTrue(allowed(new Command.LeaderElected("n2", 6), "n2", true, 6));
        assertTrue(!allowed(new Command.LeaderElected("n2", 6), "n2", false, 6), "not from the controller");
        assertTrue(!allowed(new Command.LeaderElected("n2", 7), "n2", true, 6), "a term other than the entry's");
        assertTrue(!allowed(new Command.LeaderElected("n1", 6), "n2", true, 6), "announcing another node");
    }

    @Test
    void operationResults_fromTheNodeTheyAreAbout_orTheController() {
        assertTrue(allowed(op("n2", OcfCode.SUCCESS), "n2", false, 9), "a node's own result, in any term");
        assertTrue(allowed(op("n2", OcfCode.SUCCESS), "n1", true, 5), "the controller");
        String why = CommandAuthority.refusal(S, op("n2", OcfCode.SUCCESS), new CommandAuthority.Origin("n3", false, 5)).orElseThrow();
        assertTrue(why.contains("n3") && why.contains("n2") && why.contains("only its own"), why);
        assertTrue(!allowed(op("n2", OcfCode.SUCCESS), "n1", true, 4), "a controller of an older term");
    }

    @Test
    void administrativeCommands_fromAnyAuthenticatedOrigin_butNotFromNobody() {
        for (Command c : List.of(new Command.RequestFence("n2", "admin"), new Command.SetNodeFlags("n2", true, null), new Command.PutBlob("b", "x"))) {
            assertTrue(allowed(c, "n3", false, 1), c.toString());
            assertTrue(!allowed(c, "", false, 5), "no origin: " + c);
        }
    }

    @Test
    void requestFence_makesTheNodeUnclean_likeTheControllersDeclaration() {
        ClusterState s = StateTransitions.apply(S, new Command.RequestFence("n2", "fence requested through the API"), T.plusSeconds(1));
        assertEquals(Membership.UNCLEAN, s.node("n2").membership());
        assertEquals("fence requested through the API", s.node("n2").reason());
        assertTrue(CommandAuthority.refusalAtLeader(UNCLEAN, new CommandAuthority.Origin("n3", false, 5)).isPresent());
    }
}
