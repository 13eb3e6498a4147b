package vigil.raft.admin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import vigil.api.VigilException;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.raft.admin.proto.EnrollmentGrpc;
import vigil.raft.admin.proto.JoinReply;
import vigil.raft.admin.proto.JoinRequest;
import vigil.raft.agent.AgentAddresses;

/**
 * Serves {@code Enrollment.Join}: the one call a host without credentials may make. The join token in the request
 * is its credential (one use, checked by {@link NodeAdmin#join}); nothing else is reachable without a certificate or
 * the cluster token.
 */
public final class EnrollmentService extends EnrollmentGrpc.EnrollmentImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(EnrollmentService.class);
    /** Node attribute holding a node's admin API address, so joining hosts learn every peer's. */
    public static final String ADMIN_ADDRESS = "admin-address";

    private final NodeAdmin node;

    public EnrollmentService(NodeAdmin node) { this.node = node; }

    @Override
    public void join(JoinRequest r, StreamObserver<JoinReply> reply) {
        NodeAdmin.Enrolled e;
        try {
            Node n = new Node(r.getNode(), r.getRaftAddress(), r.getWitness() ? NodeRole.WITNESS : NodeRole.MEMBER,
                    java.util.Map.of(AgentAddresses.ATTRIBUTE, r.getAdminAddress(), ADMIN_ADDRESS, r.getAdminAddress()));
            e = node.join(r.getTokenId(), r.getTokenSecret(), n, r.getCsr().toByteArray());
        } catch (vigil.api.ConfigException | vigil.api.ClusterUnavailableException ex) {
            // not a credential problem: the join names a taken id or address, or the cluster cannot commit now; the
            // host learns which field to change, or that it may try again
            LOG.warn("enrollment: refused a join as " + r.getNode() + ": " + ex.getMessage());
            reply.onError(AdminService.toStatus(ex));
            return;
        } catch (VigilException | IllegalArgumentException ex) {
            LOG.warn("enrollment: refused a join as " + r.getNode() + ": " + ex.getMessage());
            reply.onError(Status.PERMISSION_DENIED.withDescription(ex.getMessage()).asRuntimeException());
            return;
        } catch (RuntimeException ex) {
            reply.onError(AdminService.toStatus(ex));
            return;
        }
        JoinReply.Builder b = JoinReply.newBuilder().setClusterName(e.clusterName()).setClusterId(e.clusterId()).setCaCertificate(e.caCertificate())
                .setCertificateChain(e.certificateChain()).setCaKey(e.caKey()).setAdminToken(e.adminToken());
        for (Node m : e.members()) b.addMembers(AdminCodec.node(m));
        b.setNodeTimeout(AdminCodec.span(e.nodeTimeout()));
        reply.onNext(b.build());
        reply.onCompleted();
    }
}
