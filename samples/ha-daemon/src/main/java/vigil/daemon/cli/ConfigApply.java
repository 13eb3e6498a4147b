package vigil.daemon.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import vigil.api.ConfigException;
import vigil.api.VigilException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.status.ClusterState;
import vigil.raft.agent.AgentAddresses;

/**
 * What {@code vigil config apply} refuses to do to a running cluster, whatever the file says: remove a node that is
 * online or the node the command runs on, remove half or more of the voters, or move an online node to another address
 * (its daemon would no longer be reached, and the cluster would fence it). And the compare-and-set: the change is
 * applied only to the configuration version its diff was computed from.
 */
final class ConfigApply {
    private ConfigApply() {}

    /** Why {@code next} must not replace the running configuration, one reason per line; empty when it may. */
    static List<String> refusals(ClusterState s, ClusterConfig next, String localNode) {
        List<String> why = new ArrayList<>();
        Map<String, Node> kept = next.nodes().stream().collect(Collectors.toMap(Node::id, Function.identity()));
        List<String> removed = new ArrayList<>();
        for (Node n : s.config().nodes()) {
            Node after = kept.get(n.id());
            boolean online = s.node(n.id()).isOnline();
            if (after == null) {
                removed.add(n.id());
                if (online) why.add("it removes node " + n.id() + ", which is online (stop it first: vigil node stop " + n.id() + ")");
                else if (n.id().equals(localNode)) why.add("it removes node " + n.id() + ", the node this command runs on");
            } else if (online && !after.address().equals(n.address())) {
                why.add("it moves online node " + n.id() + " from " + n.address() + " to " + after.address() + " (its Raft address)");
            } else if (online && !AgentAddresses.of(after).equals(AgentAddresses.of(n))) {
                why.add("it moves online node " + n.id() + "'s API from " + AgentAddresses.of(n) + " to " + AgentAddresses.of(after)
                        + " (attribute " + AgentAddresses.ATTRIBUTE + "): the controller would no longer reach it");
            }
        }
        int voters = s.config().nodes().size();
        if (!removed.isEmpty() && removed.size() * 2 >= voters) {
            why.add("it removes " + removed.size() + " of the " + voters + " voters " + removed + ": the rest would not be a majority");
        }
        return why;
    }

    static void refuseIfUnsafe(ClusterState s, ClusterConfig next, String localNode) {
        List<String> why = refusals(s, next, localNode);
        if (!why.isEmpty()) {
            throw new VigilException("config apply: refused, nothing applied:\n  - " + String.join("\n  - ", why));
        }
    }

    /** A compare-and-set that lost: the configuration changed after the diff was computed. */
    static RuntimeException changedMeanwhile(ConfigException e, long version) {
        if (!Objects.equals(e.field(), "config.version")) return e;
        return new VigilException("the configuration changed after the diff above was computed from version " + version
                + "; nothing applied (run 'vigil config apply' again to see the diff against the new configuration)");
    }
}
