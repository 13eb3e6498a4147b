package vigil.api;

/** Receives cluster events in commit order, on a dedicated thread; must not block for long. */
@FunctionalInterface
public interface ClusterListener {
    void onEvent(ClusterEvent event);
}
