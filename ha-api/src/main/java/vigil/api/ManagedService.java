package vigil.api;

/**
 * An embedding application's own service, run by the cluster on exactly one node (or as a promotable clone).
 * Configure it as a primitive of type {@code java:<name>} and register it with the node under that name.
 * Each callback must return within the operation's timeout; throwing counts as a failed operation.
 */
public interface ManagedService {
    void start() throws Exception;

    void stop() throws Exception;

    /** Whether the service is running here; called at the monitor interval. */
    boolean isRunning() throws Exception;

    default void promote() throws Exception { throw new UnsupportedOperationException("promote"); }

    default void demote() throws Exception { throw new UnsupportedOperationException("demote"); }

    /** For promotable services: whether this instance is currently promoted. */
    default boolean isPromoted() throws Exception { return false; }
}
