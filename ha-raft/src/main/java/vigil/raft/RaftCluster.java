package vigil.raft;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.Cluster;
import vigil.api.ClusterEvent;
import vigil.api.ClusterListener;
import vigil.api.ClusterUnavailableException;
import vigil.api.ConfigException;
import vigil.api.Subscription;
import vigil.api.VigilException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ConfigValidator;
import vigil.api.model.Constraint;
import vigil.api.model.Meta;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.NodeState;
import vigil.api.status.ResourceState;
import vigil.engine.state.Command;
import vigil.engine.state.StateTransitions;

/**
 * The failover API on top of a {@link VigilNode}: every write is one committed command, validated first, so an invalid
 * one throws {@link ConfigException} and changes nothing. Closing it ends its subscriptions; the node keeps running.
 */
public final class RaftCluster implements Cluster {
    private static final Logger LOG = LoggerFactory.getLogger(RaftCluster.class);
    private static final int CONFIG_RETRIES = 50;

    private final VigilNode node;
    private final ConfigValidator validator;
    private final Duration timeout;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private java.util.function.BooleanSupplier quorate = () -> true;
    private java.util.function.Function<String, vigil.api.spi.ResourceMetadata> types = t -> {
        throw new ConfigException("type", "this node cannot describe resource types (it runs no drivers)", "ask a cluster node");
    };

    public RaftCluster(VigilNode node) { this(node, ConfigValidator.structural()); }

    /**
     * @param quorate whether this node hears a controller with a majority behind it now; when it does not,
     *                {@link #status()} answers at once with this node's own state, marked without quorum
     */
    public RaftCluster(VigilNode node, java.util.function.BooleanSupplier quorate) {
        this(node, ConfigValidator.structural());
        this.quorate = quorate;
    }

    /**
     * {@code move} and {@code ban} expire their lifetime after the cluster time of their commit, never after this
     * node's clock, which may run ahead or behind.
     *
     * @param validator checks whole configurations before they are submitted (e.g. with driver metadata)
     */
    public RaftCluster(VigilNode node, ConfigValidator validator) {
        this.node = Objects.requireNonNull(node, "node");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.timeout = Duration.ofSeconds(30);
    }

    /**
     * A linearizable snapshot when this node has quorum. On a node without quorum (cut off from the majority, or every
     * other node down) it answers at once, as crm_mon does in a partition: this node's own last applied state, with
     * {@link ClusterState#hasQuorum()} false; likewise when no leader confirms the read within {@link #READ_WAIT}.
     */
    @Override
    public ClusterState status() {
        if (!quorate.getAsBoolean()) return node.state().withQuorum(false);
        try {
            return node.readLinearizable(READ_WAIT);
        } catch (ClusterUnavailableException e) {
            LOG.debug("{}: answering status from its own state: {}", node.id(), e.getMessage());
            return node.state().withQuorum(false);
        }
    }

    /** Describes resource types with this node's drivers (see {@link #resourceType}). */
    public RaftCluster describeTypesWith(java.util.function.Function<String, vigil.api.spi.ResourceMetadata> describer) {
        this.types = Objects.requireNonNull(describer, "describer");
        return this;
    }

    @Override
    public vigil.api.spi.ResourceMetadata resourceType(String type) { return types.apply(Objects.requireNonNull(type, "type")); }

    /** How long a status read waits for a leader's confirmation before it answers with this node's own state. */
    static final Duration READ_WAIT = Duration.ofSeconds(5);

    @Override
    public void applyConfig(ClusterConfig config) {
        Objects.requireNonNull(config, "config");
        validator.validate(config);
        commit(new Command.ReplaceConfig(config, -1));
    }

    @Override
    public void applyConfig(ClusterConfig config, long expectedVersion, String changeId) {
        Objects.requireNonNull(config, "config");
        validator.validate(config);
        commit(new Command.ReplaceConfig(config, expectedVersion, changeId));
    }

    @Override
    public void updateConfig(UnaryOperator<ClusterConfig> change) {
        for (int attempt = 1; ; attempt++) {
            ClusterState s = node.readLinearizable();
            ClusterConfig next = Objects.requireNonNull(change.apply(s.config()), "the config change returned null");
            validator.validate(next);
            CommandResult r = submit(new Command.ReplaceConfig(next, s.configVersion()));
            if (r.ok()) return;
            if (r.error().field().equals("config.version") && attempt < CONFIG_RETRIES) {
                LOG.debug("{}: config changed concurrently (attempt {}), retrying", node.id(), attempt);
                continue;
            }
            r.orThrow();
        }
    }

    @Override
    public void move(String resource, String target, Duration lifetime) {
        ClusterState s = known(resource, target);
        Duration life = lifetime(s, lifetime);
        commit(new Command.PutConstraint(new Constraint.Location(StateTransitions.MOVE_PREFIX + resource, resource, target, Score.INFINITY,
                null, null), life));
    }

    @Override
    public void ban(String resource, String target, Duration lifetime) {
        ClusterState s = known(resource, target);
        Duration life = lifetime(s, lifetime);
        commit(new Command.PutConstraint(new Constraint.Location(StateTransitions.BAN_PREFIX + resource + "-on-" + target, resource, target,
                Score.MINUS_INFINITY, null, null), life));
    }

    private static Duration lifetime(ClusterState s, Duration lifetime) {
        if (lifetime == null) return s.config().properties().moveLifetime();
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new ConfigException("lifetime", "must be positive, got " + lifetime, "give e.g. 30min, or none for move-lifetime ("
                    + s.config().properties().moveLifetime() + ")");
        }
        if (lifetime.compareTo(ConfigValidator.MAX_LIFETIME) > 0) {
            throw new ConfigException("lifetime", "must be at most " + ConfigValidator.MAX_LIFETIME.toDays() + " days, got " + lifetime.toDays() + " days",
                    "give e.g. 30min or 7d");
        }
        return lifetime;
    }

    @Override
    public void clear(String resource) {
        known(resource, null);
        commit(new Command.ClearMoveConstraints(resource));
    }

    @Override
    public void enable(String resource) {
        known(resource, null);
        commit(new Command.SetResourceMeta(resource, Meta.TARGET_ROLE, Role.STARTED.text()));
    }

    @Override
    public void disable(String resource) {
        known(resource, null);
        commit(new Command.SetResourceMeta(resource, Meta.TARGET_ROLE, Role.STOPPED.text()));
    }

    @Override
    public void cleanup(String resource, String onNode) {
        if (onNode != null) known(null, onNode);
        commit(new Command.Cleanup(resource, onNode));
    }

    @Override
    public void standby(String n) {
        known(null, n);
        commit(new Command.SetNodeFlags(n, true, null));
    }

    @Override
    public void online(String n) {
        known(null, n);
        commit(new Command.SetNodeFlags(n, false, false));
    }

    @Override
    public void maintenance(String n, boolean on) {
        known(null, n);
        commit(new Command.SetNodeFlags(n, null, on));
    }

    @Override
    public void shutdown(String n, boolean force) {
        ClusterState s = known(null, n);
        if (!force) ShutdownCheck.refuseIfQuorumLost(s, n);
        commit(new Command.RequestShutdown(n));
    }

    /** Marks the node UNCLEAN; the controller fences unclean nodes before recovering their resources. */
    @Override
    public void fence(String n) {
        known(null, n);
        commit(new Command.RequestFence(n, "fence requested through the API"));
    }

    @Override
    public Subscription subscribe(ClusterListener listener) {
        Objects.requireNonNull(listener, "listener");
        ClusterState[] previous = {node.state()};
        Subscription inner = node.onState((index, state) -> {
            ClusterState before = previous[0];
            previous[0] = state;
            for (ClusterEvent e : events(index, before, state)) {
                try {
                    listener.onEvent(e);
                } catch (RuntimeException ex) {
                    LOG.warn("{}: cluster listener failed on {}", node.id(), e.getClass().getSimpleName(), ex);
                }
            }
        });
        Subscription outer = new Subscription() {
            @Override
            public void close() {
                inner.close();
                subscriptions.remove(this);
            }
        };
        subscriptions.add(outer);
        return outer;
    }

    /** The events between two consecutive states: StateChanged first, then what changed in it. */
    static List<ClusterEvent> events(long index, ClusterState before, ClusterState after) {
        List<ClusterEvent> out = new ArrayList<>();
        out.add(new ClusterEvent.StateChanged(index, after));
        if (before == after) return out;
        if (!before.leader().equals(after.leader()) || before.term() != after.term()) {
            if (!after.leader().isEmpty()) out.add(new ClusterEvent.LeaderChanged(after.leader(), after.term()));
        }
        for (Map.Entry<String, NodeState> e : after.nodes().entrySet()) {
            if (!e.getValue().equals(before.nodes().get(e.getKey()))) out.add(new ClusterEvent.NodeChanged(e.getValue()));
        }
        Set<String> primitives = new java.util.TreeSet<>(before.resources().keySet());
        primitives.addAll(after.resources().keySet());
        for (String p : primitives) {
            Set<String> nodes = new java.util.TreeSet<>(before.resources().getOrDefault(p, Map.of()).keySet());
            nodes.addAll(after.resources().getOrDefault(p, Map.of()).keySet());
            for (String n : nodes) {
                ResourceState was = before.resource(p, n);
                ResourceState now = after.resource(p, n);
                if (now.isActive() && was.role() != now.role()) out.add(new ClusterEvent.ResourceActive(p, n, now.role()));
                else if (!now.isActive() && was.isActive()) out.add(new ClusterEvent.ResourceStopped(p, n));
            }
        }
        for (FenceEvent f : newFenceEvents(before.fenceHistory(), after.fenceHistory())) out.add(new ClusterEvent.Fenced(f));
        Set<String> blocked = new java.util.TreeSet<>(before.blocked().keySet());
        blocked.addAll(after.blocked().keySet());
        for (String r : blocked) {
            String was = before.blocked().getOrDefault(r, "");
            String now = after.blocked().getOrDefault(r, "");
            if (!was.equals(now)) out.add(new ClusterEvent.ResourceBlocked(r, now));
        }
        for (var d : after.fenceDevices().values()) {
            var was = before.fenceDevices().get(d.device());
            if (was == null ? !d.ok() : was.ok() != d.ok()) out.add(new ClusterEvent.FenceDeviceChecked(d));
        }
        return out;
    }

    /** The entries appended to a bounded newest-last history. */
    private static List<FenceEvent> newFenceEvents(List<FenceEvent> before, List<FenceEvent> after) {
        if (before.equals(after)) return List.of();
        // the longest suffix of `before` that is a prefix of `after` is what both share
        for (int drop = 0; drop <= before.size(); drop++) {
            List<FenceEvent> tail = before.subList(drop, before.size());
            if (tail.size() <= after.size() && after.subList(0, tail.size()).equals(tail)) {
                return after.subList(tail.size(), after.size());
            }
        }
        return after;
    }

    @Override
    public void close() {
        for (Subscription s : new ArrayList<>(subscriptions)) s.close();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private void commit(Command c) { submit(c).orThrow(); }

    private CommandResult submit(Command c) {
        try {
            return node.submit(List.of(c)).get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(0);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof VigilException v) throw v;
            throw new ClusterUnavailableException(node.id() + ": " + c.getClass().getSimpleName() + " was not committed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new ClusterUnavailableException(node.id() + ": " + c.getClass().getSimpleName() + " not committed within " + timeout
                    + " (no quorum?); it may still be applied later", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterUnavailableException(node.id() + ": interrupted while committing " + c.getClass().getSimpleName(), e);
        }
    }

    /** A state that knows the resource and node (this node's, or a linearizable read when it lags); else a ConfigException. */
    private ClusterState known(String resource, String n) {
        ClusterState s = node.state();
        if (!has(s, resource, n)) s = node.readLinearizable();
        if (resource != null) requireResource(s, resource);
        if (n != null) requireNode(s, n);
        return s;
    }

    private static boolean has(ClusterState s, String resource, String n) {
        return (resource == null || s.config().topLevelOf(resource).isPresent()) && (n == null || s.config().node(n).isPresent());
    }

    private static void requireResource(ClusterState s, String resource) {
        Objects.requireNonNull(resource, "resource");
        if (s.config().topLevelOf(resource).isEmpty()) {
            Set<String> ids = new HashSet<>();
            s.config().resources().forEach(r -> ids.add(r.id()));
            throw new ConfigException("resource", "unknown resource \"" + resource + "\"", "use one of " + new java.util.TreeSet<>(ids));
        }
    }

    private static void requireNode(ClusterState s, String n) {
        Objects.requireNonNull(n, "node");
        if (s.config().node(n).isEmpty()) {
            List<String> ids = new ArrayList<>();
            s.config().nodes().forEach(x -> ids.add(x.id()));
            throw new ConfigException("node", "unknown node \"" + n + "\"", "use one of " + ids);
        }
    }
}
