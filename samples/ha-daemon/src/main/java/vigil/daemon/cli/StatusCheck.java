package vigil.daemon.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vigil.api.model.FenceDevice;
import vigil.api.model.Node;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceDeviceStatus;
import vigil.api.status.Membership;
import vigil.api.status.NodeState;
import vigil.api.status.ResourceState;

/**
 * What is wrong with a cluster, for the WARNINGS of {@code vigil status} and for {@code vigil status --simple}, which
 * prints one line and exits like {@code crm_mon -s} (and a Nagios plugin): 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN.
 */
public final class StatusCheck {
    public static final int OK = 0;
    public static final int WARN = 1;
    public static final int CRIT = 2;
    public static final int UNKNOWN = 3;

    private StatusCheck() {}

    /** The problems an administrator should act on, each with its fix. */
    public static List<String> warnings(ClusterState s) {
        List<String> out = new ArrayList<>();
        if (s.config().properties().stonithEnabled() && s.config().properties().watchdogTimeout().isZero()) {
            List<String> unfenceable = new ArrayList<>();
            for (Node n : s.config().nodes()) {
                if (n.runsResources() && s.config().fenceDevices().stream().noneMatch(d -> d.canFence(n.id()))) unfenceable.add(n.id());
            }
            if (!unfenceable.isEmpty()) {
                out.add("stonith-enabled is true but no fence device can fence " + String.join(", ", unfenceable)
                        + ": resources that could need fencing do not start there (add a fence device for "
                        + (unfenceable.size() == 1 ? "it" : "them") + " under fence-devices, or set watchdog-timeout for watchdog self-fencing;"
                        + " stonith-enabled: false only in a test cluster)");
            }
        }
        for (FenceDeviceStatus d : s.fenceDevices().values()) {
            if (d.ok() || s.config().fenceDevice(d.device()).isEmpty()) continue;
            FenceDevice dev = s.config().fenceDevice(d.device()).get();
            out.add("fence device " + d.device() + " (" + dev.type() + ") failed its check from " + d.checkedFrom() + " at " + StatusView.time(d.at())
                    + ": " + d.detail() + " (it would fail when a node must be fenced: check its parameters and that it is reachable)");
        }
        s.blocked().forEach((r, why) -> out.add(r + " is blocked: " + why));
        return out;
    }

    /** The {@code --simple} line and its exit code. */
    public record Result(int code, String line) {}

    public static Result of(ClusterState s) {
        List<String> crit = new ArrayList<>();
        List<String> warn = new ArrayList<>();
        if (!s.hasQuorum()) crit.add("partition WITHOUT quorum");
        int online = 0;
        for (Node n : s.config().nodes()) {
            NodeState ns = s.node(n.id());
            if (ns.membership() == Membership.UNCLEAN) crit.add("UNCLEAN node: " + n.id());
            else if (ns.membership() == Membership.OFFLINE) warn.add("offline node: " + n.id());
            else online++;
        }
        for (Map<String, ResourceState> perNode : s.resources().values()) {
            for (ResourceState rs : perNode.values()) {
                if (rs.blocked()) crit.add("FAILED (blocked) resource: " + rs.resource() + " on " + rs.node());
                else if (rs.failCount() > 0 || rs.operations().stream().anyMatch(StatusView::isFailure)) {
                    warn.add("failed resource action: " + rs.resource() + " on " + rs.node());
                }
            }
        }
        for (String w : warnings(s)) warn.add(w.contains(":") ? w.substring(0, w.indexOf(':')) : w);
        if (!crit.isEmpty()) {
            crit.addAll(warn);
            return new Result(CRIT, "CLUSTER CRIT: " + String.join(", ", crit));
        }
        if (!warn.isEmpty()) return new Result(WARN, "CLUSTER WARN: " + String.join(", ", warn));
        return new Result(OK, "CLUSTER OK: " + online + " nodes online, " + s.config().primitives().count() + " resource instances configured");
    }
}
