package vigil.storage;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resource-level fencing driven by state changes (as crm-fence-peer / crm-unfence-peer): when this node is Primary
 * and its replication link to a peer is lost, the peer is marked outdated so the cluster never promotes it; when the
 * peer is connected again and UpToDate on every volume (resync finished), the mark is cleared. Feed it every new
 * state of one resource on one node (from events2 or status polling).
 */
public final class FencingMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(FencingMonitor.class);

    private final DrbdResourceConfig config;
    private final String localNode;
    private final PeerFencing fencing;
    private final Map<String, Boolean> wasConnected = new HashMap<>();

    public FencingMonitor(DrbdResourceConfig config, String localNode, PeerFencing fencing) {
        this.config = config;
        this.localNode = localNode;
        this.fencing = fencing;
    }

    DrbdResourceConfig config() { return config; }

    /** Applies one observed state; returns whether it changed a fencing mark. */
    public boolean observe(DrbdResourceStatus status) {
        if (!config.fencing().fences()) return false;
        boolean changed = false;
        for (DrbdResourceConfig.Host peer : config.peersOf(localNode)) {
            DrbdResourceStatus.Connection c = status.connection(peer.hostname()).orElse(null);
            boolean connected = c != null && c.connected();
            Boolean before = wasConnected.put(peer.node(), connected);
            if (!connected && status.role() == DrbdRole.Primary && !Boolean.FALSE.equals(before)
                    && !fencing.isOutdated(config.name(), peer.node())) {
                String why = "replication link to " + peer.node() + " lost while " + localNode + " is Primary";
                fencing.outdate(config.name(), peer.node(), why);
                LOG.warn("{}: outdate {} ({}); it will not be promoted until it resynced",
                        config.name(), peer.node(), why);
                changed = true;
            } else if (connected && fencing.isOutdated(config.name(), peer.node()) && !c.peerDevices().isEmpty()
                    && c.peerDevices().stream().allMatch(p -> p.peerDisk() == DiskState.UpToDate && p.replication() == ReplicationState.Established)) {
                fencing.clear(config.name(), peer.node());
                LOG.info("{}: unfence {} (resync finished, peer UpToDate)", config.name(), peer.node());
                changed = true;
            }
        }
        return changed;
    }
}
