package vigil.engine.state;

import java.util.Objects;
import java.util.Optional;
import vigil.api.status.ClusterState;
import vigil.api.status.OcfCode;

/**
 * Who may commit which command (DESIGN rule 7): only the controller of the current term commits fence results,
 * membership changes and node health, leader announcements, pending operations, blocked resources and fence device
 * checks; an operation result comes from the node it is about or from that controller; configuration and
 * administrative commands (a node's announced shutdown among them) from any authenticated origin.
 *
 * <p>Checked twice: by the Raft leader before it appends an entry ({@link #refusalAtLeader}, where it knows whether
 * the entry came from its own controller), and by every replica when it applies it ({@link #refusal}, which also
 * compares the entry's Raft term with the term the controller's {@link Command.LeaderElected} recorded). Pure.
 */
public final class CommandAuthority {
    private CommandAuthority() {}

    /**
     * Who appended a log entry: the node that submitted it (as the leader verified it), whether it came from the
     * controller on the leader itself, and the Raft term the entry was appended in.
     */
    public record Origin(String node, boolean controller, long term) {
        public Origin { Objects.requireNonNull(node, "node"); }
    }

    /** Whether only the controller may commit {@code c}. */
    public static boolean controllerOnly(Command c) {
        return c instanceof Command.SetMembership || c instanceof Command.RecordFence || c instanceof Command.LeaderElected
                || c instanceof Command.SetNodeHealth || c instanceof Command.Tick
                || c instanceof Command.SetBlocked || c instanceof Command.RecordFenceDeviceCheck
                || c instanceof Command.RecordOperation op && op.code() == OcfCode.PENDING;
    }

    /**
     * Why {@code origin} may not commit {@code c} in state {@code s} (the state before {@code c}), or empty when it
     * may. Deterministic: every replica gives the same answer for the same entry.
     */
    public static Optional<String> refusal(ClusterState s, Command c, Origin origin) {
        Optional<String> basic = refusalAtLeader(c, origin);
        if (basic.isPresent() || c instanceof Command.LeaderElected) return basic;
        boolean controllerOfTerm = origin.controller() && origin.term() == s.term() && origin.node().equals(s.leader());
        boolean forAnotherNode = c instanceof Command.RecordOperation op && !op.node().equals(origin.node());
        if ((controllerOnly(c) || forAnotherNode) && !controllerOfTerm) {
            return Optional.of(name(c) + " from the controller " + origin.node() + " of term " + origin.term()
                    + ", but the current controller is " + (s.leader().isEmpty() ? "unknown" : s.leader() + " of term " + s.term()));
        }
        return Optional.empty();
    }

    /**
     * The checks that need no state: what the leader verifies before it appends an entry. A LeaderElected must name
     * the controller that sent it and the term the entry is appended in.
     */
    public static Optional<String> refusalAtLeader(Command c, Origin origin) {
        if (origin.node().isEmpty()) return Optional.of(name(c) + " from an unknown origin");
        if (c instanceof Command.LeaderElected le) {
            if (!origin.controller()) return Optional.of(name(c) + " from " + origin.node() + ", which is not the controller");
            if (!le.leader().equals(origin.node()) || le.term() != origin.term()) {
                return Optional.of(name(c) + " for " + le.leader() + " in term " + le.term() + " sent by the controller " + origin.node()
                        + " in term " + origin.term());
            }
            return Optional.empty();
        }
        if (controllerOnly(c) && !origin.controller()) {
            return Optional.of(name(c) + " from " + origin.node() + ", which is not the controller");
        }
        if (c instanceof Command.RecordOperation op && !origin.controller() && !op.node().equals(origin.node())) {
            return Optional.of("result of " + op.resource() + " " + op.action() + " on " + op.node() + " sent by " + origin.node()
                    + ": a node reports only its own operations");
        }
        return Optional.empty();
    }

    private static String name(Command c) { return c.getClass().getSimpleName(); }
}
