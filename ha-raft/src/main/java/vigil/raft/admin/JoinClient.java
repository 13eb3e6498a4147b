package vigil.raft.admin;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import vigil.api.ClusterUnavailableException;
import vigil.api.VigilException;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.raft.admin.proto.EnrollmentGrpc;
import vigil.raft.admin.proto.JoinReply;
import vigil.raft.admin.proto.JoinRequest;
import vigil.raft.agent.AgentAddresses;
import vigil.raft.tls.ClusterCa;
import vigil.raft.tls.ClusterTrust;
import vigil.raft.tls.GrpcTls;
import vigil.raft.tls.NodeTls;

/**
 * The joining host's side of {@code Enrollment.Join}: it makes its own key, checks that the server is a node of the
 * cluster whose CA the token pins (before the token's secret leaves the host), and receives its certificate, the CA
 * (certificate and key: it becomes a member that can admit others), the cluster token and the member list.
 */
public final class JoinClient {
    private JoinClient() {}

    /** What a host needs to run as a member after joining. */
    /** @param nodeTimeout the cluster's node-timeout; empty from a member that does not send it */
    public record Joined(String clusterName, UUID clusterId, NodeTls tls, ClusterCa ca, String adminToken, List<Node> members,
                         java.util.Optional<Duration> nodeTimeout) {}

    /**
     * @param target the admin address of the member that made the token (host:port)
     * @param self   this host: id, Raft address, role, and its admin address as attribute {@link AgentAddresses#ATTRIBUTE}
     */
    public static Joined join(String target, String tokenText, Node self, Duration deadline) {
        JoinTokens.Token token = JoinTokens.Token.parse(tokenText);
        NodeTls.PendingKey key = NodeTls.newKey(self.id());
        int colon = target.lastIndexOf(':');
        ManagedChannel ch = NettyChannelBuilder.forAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))
                .sslContext(GrpcTls.client(ClusterTrust.pinned(token.caPin(), ca -> { }), null)).build();
        try {
            JoinReply r = EnrollmentGrpc.newBlockingStub(ch).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .join(JoinRequest.newBuilder().setTokenId(token.id()).setTokenSecret(token.secret()).setNode(self.id())
                            .setRaftAddress(self.address()).setAdminAddress(AgentAddresses.of(self)).setWitness(self.role() == NodeRole.WITNESS)
                            .setCsr(ByteString.copyFrom(key.csr())).build());
            ClusterCa ca = ClusterCa.fromPem(r.getCaCertificate(), r.getCaKey());
            if (!ca.pin().equals(token.caPin())) throw new VigilException("the CA the cluster sent does not match the token's pin; nothing written");
            NodeTls tls = key.withCertificate(r.getCertificateChain(), r.getCaCertificate());
            List<Node> members = new ArrayList<>();
            r.getMembersList().forEach(m -> members.add(AdminCodec.node(m)));
            return new Joined(r.getClusterName(), UUID.fromString(r.getClusterId()), tls, ca, r.getAdminToken(), members,
                    r.hasNodeTimeout() ? java.util.Optional.of(AdminCodec.duration(r.getNodeTimeout())) : java.util.Optional.empty());
        } catch (StatusRuntimeException e) {
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof javax.net.ssl.SSLException) {
                    throw new VigilException("join: " + target + " is not a node of the cluster this token was made for (" + t.getMessage()
                            + "); the token was not sent");
                }
            }
            switch (e.getStatus().getCode()) {
                case PERMISSION_DENIED: throw new VigilException("join refused by " + target + ": " + e.getStatus().getDescription());
                case UNAVAILABLE, DEADLINE_EXCEEDED: throw new ClusterUnavailableException("join: cannot reach " + target + ": " + e.getStatus());
                default: throw AdminClient.translate(e);
            }
        } finally {
            ch.shutdownNow();
        }
    }
}
