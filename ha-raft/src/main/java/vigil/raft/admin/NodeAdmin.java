package vigil.raft.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import vigil.api.model.Node;

/**
 * What the admin API can ask of the node that serves it, beyond the failover API: its transport security, join
 * tokens, admitting and removing members, certificate rotation. A node without these (a bare {@link vigil.api.Cluster})
 * answers them with FAILED_PRECONDITION.
 */
public interface NodeAdmin {
    String nodeId();

    /** Whether this node runs without TLS (the insecure lab switch). */
    boolean insecure();

    /** When this node's certificate expires (null when insecure). */
    Instant certificateExpires();

    /** The Raft voters this node knows, as {@code id=host:port}; none while its replica is not running. */
    List<String> voters();

    JoinTokens.Token createJoinToken(Duration ttl);

    /** What a host that presented a valid join token receives. */
    record Enrolled(String clusterName, String clusterId, String caCertificate, String certificateChain, String caKey, String adminToken,
                    List<Node> members, Duration nodeTimeout) {}

    /** Checks and uses up the token, then signs a certificate for the host's key. */
    Enrolled join(String tokenId, String tokenSecret, Node node, byte[] csr);

    /** Makes {@code node} a member: config first, then a Raft listener that catches up, then a voter. */
    void addMember(Node node);

    /** Removes a member, refusing (with the reason) while it runs resources or if no majority would be left. */
    void removeMember(String node);

    /**
     * Two-node mode: an administrator confirms that this node's peer is down (powered off by hand), so that this node,
     * waiting for it (wait_for_all) or unable to fence it, continues alone. Wrong when the peer may still run anything.
     */
    default void confirmPeerDown(String node) {
        throw new vigil.api.VigilException("this node cannot take a confirmation that its peer is down (not a two-node cluster member)");
    }

    /** A new key and certificate for this node, in use at once; returns the new expiry. */
    Instant rotateCertificate();
}
