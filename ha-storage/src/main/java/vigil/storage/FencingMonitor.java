package vigil.storage;

import vigil.api.VigilException;
import vigil.api.spi.OutdatedCopies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resource-level fencing driven by state changes (as crm-fence-peer / crm-unfence-peer): whenever this node is Primary
 * without its replication link to a peer (lost, or not yet made), the peer's copy is marked outdated in the cluster's replicated state, so
 * that no node promotes it; when the peer is connected again and UpToDate on every volume (resync finished), the mark
 * is cleared. Feed it every new state of one resource on one node (from events2 or status polling).
 */
public final class FencingMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(FencingMonitor.class);

    private final DrbdResourceConfig config;
    private final String primitive;
    private final String localNode;
    private final OutdatedCopies marks;

    /** @param primitive the {@code drbd} primitive's id: what the marks name (the DRBD resource may be named otherwise) */
    public FencingMonitor(DrbdResourceConfig config, String primitive, String localNode, OutdatedCopies marks) {
        this.config = config;
        this.primitive = primitive;
        this.localNode = localNode;
        this.marks = marks;
    }

    DrbdResourceConfig config() { return config; }

    /**
     * Applies one observed state; returns whether it changed a fencing mark. A mark that could not be committed (this
     * node cannot reach the cluster) is tried again with the next state.
     */
    public boolean observe(DrbdResourceStatus status) {
        if (!config.fencing().fences()) return false;
        boolean changed = false;
        for (DrbdResourceConfig.Host peer : config.peersOf(localNode)) {
            DrbdResourceStatus.Connection c = status.connection(peer.hostname()).orElse(null);
            boolean connected = c != null && c.connected();
            try {
                if (!connected && status.role() == DrbdRole.Primary && !marks.isOutdated(primitive, peer.node())) {
                    String why = "no replication link to " + peer.node() + " while " + localNode + " is Primary";
                    marks.mark(primitive, peer.node(), why);
                    LOG.warn("{}: outdate {} ({}); it will not be promoted until it resynced", primitive, peer.node(), why);
                    changed = true;
                } else if (connected && marks.isOutdated(primitive, peer.node()) && !c.peerDevices().isEmpty()
                        && c.peerDevices().stream().allMatch(p -> p.peerDisk() == DiskState.UpToDate && p.replication() == ReplicationState.Established)) {
                    marks.clear(primitive, peer.node());
                    LOG.info("{}: unfence {} (resync finished, peer UpToDate)", primitive, peer.node());
                    changed = true;
                }
            } catch (VigilException e) {
                LOG.error("{}: fencing mark for {} not committed, trying again with the next state: {}", primitive, peer.node(),
                        e.getMessage());
            }
        }
        return changed;
    }
}
