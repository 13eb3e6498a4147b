package vigil.api.spi;

/**
 * Resource-level fencing marks in the cluster's replicated state, as Pacemaker's crm-fence-peer keeps them with a
 * location constraint: "{@code node}'s copy of {@code resource} is outdated: promote it nowhere until it is UpToDate
 * again". A driver for replicated storage marks a peer whose replication link it lost while promoted, and clears the
 * mark once that peer resynced; every node sees the same marks, and the scheduler plans no promotion of a marked copy.
 * {@code resource} is the primitive's id.
 */
public interface OutdatedCopies {
    /**
     * Marks {@code node}'s copy of {@code resource} outdated and returns once the mark is committed; fails with
     * {@link vigil.api.ClusterUnavailableException} when it could not be (the caller must then not go on as if it was).
     */
    void mark(String resource, String node, String reason);

    /** Clears the mark once {@code node}'s copy is UpToDate again; returns once that is committed. */
    void clear(String resource, String node);

    /** Whether {@code node}'s copy of {@code resource} is marked, as this node's replica of the state says. */
    boolean isOutdated(String resource, String node);

    /** Outside a cluster (tools, tests of a driver alone): nothing is marked, and nothing can be. */
    OutdatedCopies NONE = new OutdatedCopies() {
        @Override
        public void mark(String resource, String node, String reason) {
            throw new vigil.api.ClusterUnavailableException("cannot mark " + node + "'s copy of " + resource + " outdated: not running in a cluster");
        }

        @Override
        public void clear(String resource, String node) {
            throw new vigil.api.ClusterUnavailableException("cannot clear the mark of " + node + "'s copy of " + resource + ": not running in a cluster");
        }

        @Override
        public boolean isOutdated(String resource, String node) { return false; }
    };
}
