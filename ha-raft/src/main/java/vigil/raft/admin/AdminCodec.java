package vigil.raft.admin;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import vigil.api.ClusterEvent;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.NodeState;
import vigil.raft.LogCodec;
import vigil.raft.admin.proto.Event;
import vigil.raft.admin.proto.LeaderChanged;
import vigil.raft.admin.proto.ResourceActive;
import vigil.raft.admin.proto.ResourceStopped;
import vigil.raft.admin.proto.StateChanged;
import vigil.raft.proto.ClusterStateP;
import vigil.raft.proto.ConfigP;
import vigil.raft.proto.RoleP;
import vigil.raft.proto.Span;

/** Admin messages to and from the model, through the log schema's codec (one encoding of the model, not two). */
final class AdminCodec {
    private AdminCodec() {}

    static ClusterStateP state(ClusterState s) { return parse(LogCodec.encodeState(s)); }

    static ClusterState state(ClusterStateP p) { return LogCodec.decodeState(p.toByteArray()); }

    static ConfigP config(ClusterConfig c) { return state(ClusterState.EMPTY.withConfig(c, 0)).getConfig(); }

    static ClusterConfig config(ConfigP p) { return state(ClusterStateP.newBuilder().setConfig(p).build()).config(); }

    static Span span(Duration d) { return Span.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build(); }

    static Duration duration(Span s) { return Duration.ofSeconds(s.getSeconds(), s.getNanos()); }

    static vigil.raft.proto.Timestamp timestamp(java.time.Instant i) { return LogCodec.ts(i); }

    static java.time.Instant instant(vigil.raft.proto.Timestamp t) { return LogCodec.instant(t); }

    static vigil.raft.proto.NodeP node(vigil.api.model.Node n) { return LogCodec.node(n); }

    static vigil.api.model.Node node(vigil.raft.proto.NodeP n) { return LogCodec.node(n); }

    static Event event(ClusterEvent e) {
        Event.Builder b = Event.newBuilder();
        if (e instanceof ClusterEvent.StateChanged sc) {
            b.setStateChanged(StateChanged.newBuilder().setIndex(sc.index()).setState(state(sc.state())));
        } else if (e instanceof ClusterEvent.ResourceActive ra) {
            b.setResourceActive(ResourceActive.newBuilder().setResource(ra.resource()).setNode(ra.node()).setRole(role(ra.role())));
        } else if (e instanceof ClusterEvent.ResourceStopped rs) {
            b.setResourceStopped(ResourceStopped.newBuilder().setResource(rs.resource()).setNode(rs.node()));
        } else if (e instanceof ClusterEvent.NodeChanged nc) {
            b.setNodeChanged(state(ClusterState.EMPTY.withNode(nc.node())).getNodes(0));
        } else if (e instanceof ClusterEvent.Fenced f) {
            b.setFenced(state(ClusterState.EMPTY.withFence(f.fence(), 1)).getFenceHistory(0));
        } else if (e instanceof ClusterEvent.LeaderChanged lc) {
            b.setLeaderChanged(LeaderChanged.newBuilder().setLeader(lc.leader()).setTerm(lc.term()));
        } else if (e instanceof ClusterEvent.ResourceBlocked rb) {
            b.setResourceBlocked(vigil.raft.admin.proto.ResourceBlocked.newBuilder().setResource(rb.resource()).setReason(rb.reason()));
        } else if (e instanceof ClusterEvent.FenceDeviceChecked fd) {
            b.setFenceDeviceChecked(state(ClusterState.EMPTY.withFenceDeviceStatus(fd.status())));
        }
        return b.build();
    }

    /** The event, or null for a kind this client does not know (a newer server). */
    static ClusterEvent event(Event e) {
        switch (e.getKindCase()) {
            case STATE_CHANGED: return new ClusterEvent.StateChanged(e.getStateChanged().getIndex(), state(e.getStateChanged().getState()));
            case RESOURCE_ACTIVE: return new ClusterEvent.ResourceActive(e.getResourceActive().getResource(), e.getResourceActive().getNode(),
                    role(e.getResourceActive().getRole()));
            case RESOURCE_STOPPED: return new ClusterEvent.ResourceStopped(e.getResourceStopped().getResource(), e.getResourceStopped().getNode());
            case NODE_CHANGED: {
                NodeState n = state(ClusterStateP.newBuilder().addNodes(e.getNodeChanged()).build()).nodes().values().iterator().next();
                return new ClusterEvent.NodeChanged(n);
            }
            case FENCED: {
                FenceEvent f = state(ClusterStateP.newBuilder().addFenceHistory(e.getFenced()).build()).fenceHistory().get(0);
                return new ClusterEvent.Fenced(f);
            }
            case LEADER_CHANGED: return new ClusterEvent.LeaderChanged(e.getLeaderChanged().getLeader(), e.getLeaderChanged().getTerm());
            case RESOURCE_BLOCKED: return new ClusterEvent.ResourceBlocked(e.getResourceBlocked().getResource(), e.getResourceBlocked().getReason());
            case FENCE_DEVICE_CHECKED: return new ClusterEvent.FenceDeviceChecked(state(e.getFenceDeviceChecked()).fenceDevices().values().iterator().next());
            default: return null;
        }
    }

    static vigil.raft.admin.proto.ResourceTypeReply resourceType(vigil.api.spi.ResourceMetadata md) {
        var b = vigil.raft.admin.proto.ResourceTypeReply.newBuilder().setType(md.type() == null ? "" : md.type());
        for (vigil.api.spi.ParameterSpec p : md.parameters()) {
            b.addParameters(vigil.raft.admin.proto.ParameterSpecP.newBuilder().setName(p.name()).setRequired(p.required()).setSecret(p.secret())
                    .setDefaultValue(p.defaultValue()).setDescription(p.description()));
        }
        md.actionTimeouts().forEach((a, t) -> b.putActionTimeouts(a, span(t)));
        return b.build();
    }

    static vigil.api.spi.ResourceMetadata resourceType(vigil.raft.admin.proto.ResourceTypeReply r) {
        java.util.List<vigil.api.spi.ParameterSpec> ps = new java.util.ArrayList<>();
        for (var p : r.getParametersList()) ps.add(new vigil.api.spi.ParameterSpec(p.getName(), p.getRequired(), p.getSecret(), p.getDefaultValue(), p.getDescription()));
        java.util.Map<String, Duration> timeouts = new java.util.TreeMap<>();
        r.getActionTimeoutsMap().forEach((a, t) -> timeouts.put(a, duration(t)));
        return new vigil.api.spi.ResourceMetadata(r.getType(), ps, timeouts);
    }

    static RoleP role(Role r) {
        switch (r) {
            case STARTED: return RoleP.ROLE_STARTED;
            case UNPROMOTED: return RoleP.ROLE_UNPROMOTED;
            case PROMOTED: return RoleP.ROLE_PROMOTED;
            default: return RoleP.ROLE_STOPPED;
        }
    }

    static Role role(RoleP r) {
        switch (r) {
            case ROLE_STARTED: return Role.STARTED;
            case ROLE_UNPROMOTED: return Role.UNPROMOTED;
            case ROLE_PROMOTED: return Role.PROMOTED;
            default: return Role.STOPPED;
        }
    }

    private static ClusterStateP parse(byte[] bytes) {
        try {
            return ClusterStateP.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("state encoding is not a ClusterStateP", e);
        }
    }
}
