package vigil.raft;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.util.TimeDuration;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;

/** Ratis wiring shared by nodes and clients: group ids, peers, client properties. */
final class RaftSetup {
    private RaftSetup() {}

    /**
     * The Raft group id of a cluster created without one (tests and lab clusters): derived from its name. Clusters made
     * by {@code vigil init} get a random id instead, so that no two share one.
     */
    static UUID clusterId(String clusterName) {
        return UUID.nameUUIDFromBytes(("vigil-cluster:" + clusterName).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A witness votes, but the Raft leader runs the controller (planning, fencing, driving every executor): a small
     * witness box should lead only while no member can. Ratis lets a voter refuse a candidate of lower priority whose
     * log is no newer than its own, and makes a leader hand over to a caught-up peer of higher priority.
     */
    static RaftPeer peer(Node n) {
        return RaftPeer.newBuilder().setId(n.id()).setAddress(n.address()).setPriority(n.role() == NodeRole.WITNESS ? WITNESS_PRIORITY : MEMBER_PRIORITY).build();
    }

    static final int MEMBER_PRIORITY = 1;
    static final int WITNESS_PRIORITY = 0;

    static RaftGroup group(UUID clusterId, List<Node> nodes) {
        List<RaftPeer> peers = new ArrayList<>();
        for (Node n : nodes) peers.add(peer(n));
        return RaftGroup.valueOf(RaftGroupId.valueOf(clusterId), peers);
    }

    static TimeDuration td(Duration d) { return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS); }

    static RaftProperties clientProperties(Duration requestTimeout) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Async.setOutstandingRequestsMax(p, 1024);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, td(requestTimeout));
        return p;
    }

    /** A client for writes: retries across a leader change, about 15 s in all before a submission fails. */
    static RaftClient client(RaftGroup group, Duration requestTimeout, Parameters tls) { return client(group, requestTimeout, 300, tls); }

    /** A client that gives up after {@code attempts} tries 50 ms apart. */
    static RaftClient client(RaftGroup group, Duration requestTimeout, int attempts, Parameters tls) {
        return RaftClient.newBuilder().setClientId(ClientId.randomId()).setRaftGroup(group).setProperties(clientProperties(requestTimeout))
                .setParameters(tls)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts, TimeDuration.valueOf(50, TimeUnit.MILLISECONDS)))
                .build();
    }
}
