package vigil.engine.state;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.FenceDevice;
import vigil.api.model.Node;
import vigil.api.model.Resource;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.OcfCode;

/**
 * A change to the replicated {@link vigil.api.status.ClusterState}. Every Raft log entry carries commands; they are
 * applied by {@link StateTransitions#apply} in log order, deterministically (the only time is the entry's timestamp).
 */
public sealed interface Command {

    // ---- configuration -------------------------------------------------------------------------------------

    /**
     * Replaces the whole configuration; {@code expectedVersion} >= 0 makes it a compare-and-set on the config version.
     * A non-empty {@code changeId} makes it happen at most once: sent again (its answer was lost), it changes nothing.
     */
    record ReplaceConfig(ClusterConfig config, long expectedVersion, String changeId) implements Command {
        public ReplaceConfig {
            Objects.requireNonNull(config, "config");
            changeId = changeId == null ? "" : changeId;
        }

        public ReplaceConfig(ClusterConfig config, long expectedVersion) { this(config, expectedVersion, ""); }
    }

    /**
     * The configuration a new cluster starts with (a node's bootstrap file): applied only while the cluster has never
     * been configured, so a node's local file never replaces the replicated configuration of a cluster that exists.
     */
    record Bootstrap(ClusterConfig config) implements Command {
        public Bootstrap { Objects.requireNonNull(config, "config"); }
    }

    /** Adds a resource, or replaces the one with the same id. */
    record PutResource(Resource resource) implements Command {
        public PutResource { Objects.requireNonNull(resource, "resource"); }
    }

    /** Deletes a top-level resource and every constraint that names it (as {@code pcs resource delete} does). */
    record DeleteResource(String id) implements Command {
        public DeleteResource { Objects.requireNonNull(id, "id"); }
    }

    /** Sets ({@code value} non-null) or removes one meta attribute of a resource (top-level, group member or clone child). */
    record SetResourceMeta(String resource, String key, String value) implements Command {
        public SetResourceMeta {
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Adds a constraint, or replaces the one with the same id. With a {@code lifetime} (a location only, as {@code move}
     * and {@code ban} make them) it expires that long after the cluster time of its commit (null: as the constraint says).
     */
    record PutConstraint(Constraint constraint, Duration lifetime) implements Command {
        public PutConstraint {
            Objects.requireNonNull(constraint, "constraint");
            if (lifetime != null && !(constraint instanceof Constraint.Location)) {
                throw new IllegalArgumentException("only a location constraint can have a lifetime, not " + constraint.id());
            }
        }

        public PutConstraint(Constraint constraint) { this(constraint, null); }
    }

    record DeleteConstraint(String id) implements Command {
        public DeleteConstraint { Objects.requireNonNull(id, "id"); }
    }

    /** Removes the constraints {@code move} and {@code ban} created for a resource ({@code cli-prefer-*}, {@code cli-ban-*}). */
    record ClearMoveConstraints(String resource) implements Command {
        public ClearMoveConstraints { Objects.requireNonNull(resource, "resource"); }
    }

    record PutNode(Node node) implements Command {
        public PutNode { Objects.requireNonNull(node, "node"); }
    }

    record RemoveNode(String id) implements Command {
        public RemoveNode { Objects.requireNonNull(id, "id"); }
    }

    record SetProperties(ClusterProperties properties) implements Command {
        public SetProperties { Objects.requireNonNull(properties, "properties"); }
    }

    record PutFenceDevice(FenceDevice device) implements Command {
        public PutFenceDevice { Objects.requireNonNull(device, "device"); }
    }

    record DeleteFenceDevice(String id) implements Command {
        public DeleteFenceDevice { Objects.requireNonNull(id, "id"); }
    }

    /** Stores a named blob (e.g. a domain XML); an empty text deletes it. */
    record PutBlob(String name, String text) implements Command {
        public PutBlob {
            Objects.requireNonNull(name, "name");
            text = text == null ? "" : text;
        }
    }

    // ---- status --------------------------------------------------------------------------------------------

    /** Sets a node's standby and / or maintenance flag (null: leave as is). */
    record SetNodeFlags(String node, Boolean standby, Boolean maintenance) implements Command {
        public SetNodeFlags { Objects.requireNonNull(node, "node"); }
    }

    /**
     * The controller's view of a node's membership: joined (ONLINE), fell silent (UNCLEAN) or left cleanly (OFFLINE).
     * Only the controller may commit it (see {@link CommandAuthority}).
     */
    record SetMembership(String node, Membership membership, String reason) implements Command {
        public SetMembership {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(membership, "membership");
            reason = reason == null ? "" : reason;
        }
    }

    /**
     * A node announces a clean stop (its own daemon on SIGTERM, or an admin's {@code node stop}): the scheduler places
     * nothing there any more, and once nothing runs there the controller marks it OFFLINE, so it is never fenced for
     * leaving. Re-joining (SetMembership ONLINE) ends it.
     */
    record RequestShutdown(String node) implements Command {
        public RequestShutdown { Objects.requireNonNull(node, "node"); }
    }

    /**
     * The result of a resource operation on a node, as its executor reported it. {@code peer} is the other node of a
     * migration. {@code promotionScore} is what the driver reported, if anything.
     */
    record RecordOperation(String resource, String node, String action, Duration interval, OcfCode code, Duration took,
                           String reason, String peer, OptionalInt promotionScore) implements Command {
        public RecordOperation {
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(action, "action");
            interval = interval == null ? Duration.ZERO : interval;
            Objects.requireNonNull(code, "code");
            took = took == null ? Duration.ZERO : took;
            reason = reason == null ? "" : reason;
            peer = peer == null ? "" : peer;
            promotionScore = promotionScore == null ? OptionalInt.empty() : promotionScore;
        }
    }

    /**
     * The controller's record of whether a node's Raft replica keeps up: empty, or why not (from the node's heartbeat
     * reply). Only the controller may commit it.
     */
    record SetNodeHealth(String node, String degraded) implements Command {
        public SetNodeHealth {
            Objects.requireNonNull(node, "node");
            degraded = degraded == null ? "" : degraded;
        }
    }

    /**
     * An administrator asks for a node to be fenced: it becomes UNCLEAN (unless it is already), and the controller
     * fences it before anything that ran there starts elsewhere.
     */
    record RequestFence(String node, String reason) implements Command {
        public RequestFence {
            Objects.requireNonNull(node, "node");
            reason = reason == null ? "" : reason;
        }
    }

    /** Forgets failures of a resource (group or clone: all its primitives) on one node, or on all nodes when {@code node} is null. */
    record Cleanup(String resource, String node) implements Command {
        public Cleanup { Objects.requireNonNull(resource, "resource"); }
    }

    /** A finished fence operation; a success marks the target OFFLINE and everything on it stopped. */
    record RecordFence(FenceEvent event) implements Command {
        public RecordFence { Objects.requireNonNull(event, "event"); }
    }

    /**
     * The controller cannot plan or run {@code resource} anywhere, for {@code reason} (shown by status and the event
     * stream); an empty reason clears it.
     */
    record SetBlocked(String resource, String reason) implements Command {
        public SetBlocked {
            Objects.requireNonNull(resource, "resource");
            reason = reason == null ? "" : reason;
        }
    }

    /** The result of a periodic check of a fence device. */
    record RecordFenceDeviceCheck(vigil.api.status.FenceDeviceStatus status) implements Command {
        public RecordFenceDeviceCheck { Objects.requireNonNull(status, "status"); }
    }

    /** A new controller: the Raft leader of {@code term} announces itself. */
    record LeaderElected(String leader, long term) implements Command {
        public LeaderElected { Objects.requireNonNull(leader, "leader"); }
    }

    /**
     * The controller's tick at cluster-recheck-interval: it changes nothing but the cluster time its entry carries, so
     * lifetimes and failure-timeouts expire in an idle cluster too (Pacemaker's cluster-recheck-interval).
     */
    record Tick() implements Command {}

    /** {@code node} armed a watchdog with {@code timeout} (zero: none is armed); committed by the node itself. */
    record SetWatchdog(String node, Duration timeout) implements Command {
        public SetWatchdog {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) throw new IllegalArgumentException("watchdog timeout must not be negative, got " + timeout);
        }
    }

    /**
     * Resource-level fencing: {@code node}'s copy of replicated storage {@code resource} (a primitive) is outdated and
     * must not be promoted until it is UpToDate again (crm-fence-peer's constraint).
     */
    record MarkOutdated(String resource, String node, String reason) implements Command {
        public MarkOutdated {
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(node, "node");
            reason = reason == null ? "" : reason;
        }
    }

    /** {@code node}'s copy of {@code resource} is UpToDate again: it may be promoted (crm-unfence-peer). */
    record ClearOutdated(String resource, String node) implements Command {
        public ClearOutdated {
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(node, "node");
        }
    }
}
