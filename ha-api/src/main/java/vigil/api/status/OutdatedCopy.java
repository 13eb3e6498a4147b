package vigil.api.status;

import java.time.Instant;
import java.util.Objects;

/**
 * Resource-level fencing: {@code node}'s copy of replicated storage {@code resource} (a primitive, e.g. a {@code drbd}
 * disk) is outdated and must not be promoted anywhere until it is UpToDate again. Set by the node that lost its
 * replication link to it while promoted, cleared once that copy resynced (what Pacemaker's crm-fence-peer and
 * crm-unfence-peer do with a location constraint).
 *
 * @param since when the mark was committed (cluster time)
 */
public record OutdatedCopy(String resource, String node, String reason, Instant since) {
    public OutdatedCopy {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(node, "node");
        reason = reason == null ? "" : reason;
        since = since == null ? Instant.EPOCH : since;
    }
}
