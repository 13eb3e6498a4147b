package vigil.engine.scheduler;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vigil.api.model.Clone;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.OcfCode;
import vigil.api.status.OperationRecord;
import vigil.api.status.ResourceState;

/**
 * The state a transition leads to when every action succeeds: what simulations and the "settled cluster plans
 * nothing" check need. Pure: times come from {@code state.now()}.
 */
public final class TransitionOutcome {
    private static final int KEEP_OPS = 8;

    private TransitionOutcome() {}

    public static ClusterState apply(ClusterState state, Transition t) {
        Set<String> promotable = new HashSet<>();
        for (Resource r : state.config().resources()) {
            if (r instanceof Clone c && c.promotable()) c.primitives().forEach(p -> promotable.add(p.id()));
        }
        ClusterState s = state;
        for (PlannedAction a : t.actions()) {
            switch (a.kind()) {
                case FENCE: {
                    s = s.withNode(s.node(a.node()).withMembership(Membership.OFFLINE, s.now(), "fenced: " + a.reason()));
                    for (Map.Entry<String, Map<String, ResourceState>> e : s.resources().entrySet()) {
                        ResourceState rs = e.getValue().get(a.node());
                        if (rs != null && (rs.isActive() || rs.blocked() || rs.pending())) s = s.withResource(rs.fenced());
                    }
                    s = s.withFence(new FenceEvent(a.node(), "reboot", List.of(), "", true, s.now(), a.reason()), 100);
                    break;
                }
                case STOP:
                case MIGRATE_TO:
                    s = op(s, a, Role.STOPPED);
                    break;
                case START:
                    s = op(s, a, promotable.contains(a.resource()) ? Role.UNPROMOTED : Role.STARTED);
                    break;
                case MIGRATE_FROM:
                    s = op(s, a, promotable.contains(a.resource()) ? Role.UNPROMOTED : Role.STARTED);
                    // as the state machine records it: the source no longer holds it (its migrate_to may be in an earlier plan)
                    if (!a.peer().isEmpty() && s.resource(a.resource(), a.peer()).isActive()) {
                        s = s.withResource(s.resource(a.resource(), a.peer()).withRole(Role.STOPPED));
                    }
                    break;
                case PROMOTE:
                    s = op(s, a, Role.PROMOTED);
                    break;
                case DEMOTE:
                    s = op(s, a, Role.UNPROMOTED);
                    break;
                case MONITOR:
                    s = op(s, a, null);
                    break;
                default:
                    throw new IllegalArgumentException("unknown action kind " + a.kind());
            }
        }
        return s;
    }

    private static ClusterState op(ClusterState s, PlannedAction a, Role newRole) {
        ResourceState rs = s.resource(a.resource(), a.node());
        OcfCode code = a.kind() == ActionKind.MONITOR && rs.role() == Role.PROMOTED ? OcfCode.RUNNING_PROMOTED : OcfCode.SUCCESS;
        ResourceState next = rs.withOperation(new OperationRecord(a.kind().text(), a.interval(), code, s.now(), Duration.ZERO, ""), KEEP_OPS);
        if (newRole != null) next = next.withRole(newRole);
        if (a.kind() == ActionKind.STOP) next = next.withBlocked(false);
        return s.withResource(next);
    }
}
