package vigil.api;

import java.time.Duration;
import java.util.UUID;
import java.util.function.UnaryOperator;
import vigil.api.model.ClusterConfig;
import vigil.api.status.ClusterState;

/**
 * The programmatic failover API: one view of a running cluster, from any member.
 *
 * <p>Every write returns only after the change is committed by a Raft majority, so an acknowledged
 * change is never lost. Every write is validated first: an invalid one throws {@link ConfigException}
 * naming the field and the fix, and changes nothing.
 */
public interface Cluster extends AutoCloseable {

    /**
     * A linearizable snapshot of config and status when {@link ClusterState#hasQuorum()} is true. A node without
     * quorum answers at once with its own last applied state and {@code hasQuorum()} false (as crm_mon shows a
     * partition): that state may be older than changes already acknowledged elsewhere.
     */
    ClusterState status();

    /** Replaces the whole configuration. */
    void applyConfig(ClusterConfig config);

    /**
     * Replaces the whole configuration if its version is still {@code expectedVersion} (a compare-and-set): what was
     * shown to an administrator as a diff from that version is exactly what changes. Otherwise throws
     * {@link ConfigException} on field {@code config.version} and changes nothing.
     */
    default void applyConfig(ClusterConfig config, long expectedVersion) { applyConfig(config, expectedVersion, UUID.randomUUID().toString()); }

    /**
     * As {@link #applyConfig(ClusterConfig, long)}, at most once for {@code changeId}: sent again with the same id (its
     * answer was lost, a client tries once more, perhaps through another node), an applied change is not applied again
     * and the call succeeds.
     */
    void applyConfig(ClusterConfig config, long expectedVersion, String changeId);

    /**
     * Changes the configuration with a function of the current one; retried if another write
     * landed in between, so concurrent updates are not lost.
     */
    void updateConfig(UnaryOperator<ClusterConfig> change);

    /** Prefers {@code node} for {@code resource} with an expiring INFINITY location (see {@link #clear}). */
    void move(String resource, String node, Duration lifetime);

    /** Bans {@code resource} from {@code node} with an expiring -INFINITY location. */
    void ban(String resource, String node, Duration lifetime);

    /** Removes the locations that {@link #move} and {@link #ban} created for {@code resource}. */
    void clear(String resource);

    /** Sets target-role Started. */
    void enable(String resource);

    /** Sets target-role Stopped: the resource is stopped everywhere. */
    void disable(String resource);

    /** Forgets failures of {@code resource} (on {@code node}, or everywhere when null), like crm_resource --cleanup. */
    void cleanup(String resource, String node);

    /** Puts a node in standby: nothing runs there. */
    void standby(String node);

    /** Takes a node out of standby and maintenance. */
    void online(String node);

    /** Maintenance: the cluster neither starts, stops nor monitors anything on the node. */
    void maintenance(String node, boolean on);

    /**
     * Stops {@code node} cleanly (like {@code pcs cluster stop}): its shutdown is announced, the cluster moves or stops
     * what runs there, marks it offline, and the node's process leaves; it is never fenced for it. Refused when the
     * nodes left running would not be a majority of the voters (the cluster would lose quorum), unless {@code force}.
     * Returns once the request is committed.
     */
    void shutdown(String node, boolean force);

    /** Asks the cluster to fence {@code node}; returns once the request is committed. */
    void fence(String node);

    /**
     * What the answering node's drivers declare for resource type {@code type} (its parameters, which are required, and
     * its actions' default timeouts), as {@code pcs resource describe} does; throws {@link ConfigException} on field
     * {@code type} when that node has no driver or agent for it.
     */
    vigil.api.spi.ResourceMetadata resourceType(String type);

    /** Calls {@code listener} for every state change from now on, in commit order. */
    Subscription subscribe(ClusterListener listener);

    @Override
    void close();
}
