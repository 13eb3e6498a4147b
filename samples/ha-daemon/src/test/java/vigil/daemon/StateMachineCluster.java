package vigil.daemon;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import vigil.api.Cluster;
import vigil.api.ClusterEvent;
import vigil.api.ClusterListener;
import vigil.api.Subscription;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Constraint;
import vigil.api.model.Meta;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.engine.state.Command;
import vigil.engine.state.StateTransitions;

/**
 * The failover API over the replicated state machine's pure transition function, in one process and without Raft:
 * for unit tests of the CLI, the admin API and the status views. Fence requests are only recorded.
 */
public final class StateMachineCluster implements Cluster {
    private ClusterState state;
    private long index;
    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    public final List<String> fenceRequests = new CopyOnWriteArrayList<>();
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    StateMachineCluster(ClusterState initial) { state = initial; }

    /** Applies status commands as the controller would (e.g. a resource starting somewhere). */
    public synchronized void commit(Command... commands) {
        for (Command c : commands) state = StateTransitions.apply(state, c, now);
        index++;
        now = now.plusSeconds(1);
        ClusterState s = state;
        long i = index;
        listeners.forEach(l -> l.onEvent(new ClusterEvent.StateChanged(i, s)));
    }

    @Override
    public synchronized ClusterState status() { return state; }

    @Override
    public void applyConfig(ClusterConfig config) { commit(new Command.ReplaceConfig(config, -1)); }

    @Override
    public void applyConfig(ClusterConfig config, long expectedVersion, String changeId) {
        commit(new Command.ReplaceConfig(config, expectedVersion, changeId));
    }

    @Override
    public synchronized void updateConfig(UnaryOperator<ClusterConfig> change) {
        commit(new Command.ReplaceConfig(change.apply(state.config()), state.configVersion()));
    }

    @Override
    public synchronized void move(String resource, String node, Duration lifetime) {
        commit(new Command.ClearMoveConstraints(resource), new Command.PutConstraint(new Constraint.Location(
                StateTransitions.MOVE_PREFIX + resource, resource, node, Score.INFINITY, null, now.plus(lifetime))));
    }

    @Override
    public synchronized void ban(String resource, String node, Duration lifetime) {
        commit(new Command.PutConstraint(new Constraint.Location(StateTransitions.BAN_PREFIX + resource + "-" + node, resource, node,
                Score.MINUS_INFINITY, null, now.plus(lifetime))));
    }

    @Override
    public void clear(String resource) { commit(new Command.ClearMoveConstraints(resource)); }

    @Override
    public void enable(String resource) { commit(new Command.SetResourceMeta(resource, Meta.TARGET_ROLE, null)); }

    @Override
    public void disable(String resource) { commit(new Command.SetResourceMeta(resource, Meta.TARGET_ROLE, "Stopped")); }

    @Override
    public void cleanup(String resource, String node) { commit(new Command.Cleanup(resource, node)); }

    @Override
    public void standby(String node) { commit(new Command.SetNodeFlags(node, true, null)); }

    @Override
    public void online(String node) { commit(new Command.SetNodeFlags(node, false, false)); }

    @Override
    public void maintenance(String node, boolean on) { commit(new Command.SetNodeFlags(node, null, on)); }

    private final vigil.engine.driver.DriverRegistry drivers = vigil.engine.driver.DriverRegistry.load(new vigil.engine.driver.JavaServiceDriver());

    /** What this machine's drivers (the OCF agents installed here, kvm, drbd) declare, as a node would answer. */
    @Override
    public vigil.api.spi.ResourceMetadata resourceType(String type) {
        var d = drivers.find(type).orElseThrow(() -> new vigil.api.ConfigException("type", "no driver for \"" + type + "\" on this node", ""));
        try {
            return d.metadata();
        } catch (vigil.api.VigilException e) {
            throw new vigil.api.ConfigException("type", e.getMessage(), "");
        }
    }

    @Override
    public void shutdown(String node, boolean force) { commit(new Command.RequestShutdown(node)); }

    @Override
    public void fence(String node) { fenceRequests.add(node); }

    @Override
    public Subscription subscribe(ClusterListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public void close() {}
}
