package vigil.raft.admin;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.Cluster;
import vigil.api.ClusterEvent;
import vigil.api.ClusterUnavailableException;
import vigil.api.ConfigException;
import vigil.api.Subscription;
import vigil.api.VigilException;
import vigil.api.model.ClusterConfig;
import vigil.raft.admin.proto.Ack;
import vigil.raft.admin.proto.AdminGrpc;
import vigil.raft.admin.proto.ApplyConfigRequest;
import vigil.raft.admin.proto.CleanupRequest;
import vigil.raft.admin.proto.Event;
import vigil.raft.admin.proto.MaintenanceRequest;
import vigil.raft.admin.proto.NodeRequest;
import vigil.raft.admin.proto.PlacementRequest;
import vigil.raft.admin.proto.ResourceRequest;
import vigil.raft.admin.proto.ShutdownRequest;
import vigil.raft.admin.proto.StatusReply;
import vigil.raft.admin.proto.StatusRequest;
import vigil.raft.admin.proto.WatchRequest;
import vigil.raft.admin.proto.AddMemberRequest;
import vigil.raft.admin.proto.ConfigReply;
import vigil.raft.admin.proto.GetConfigRequest;
import vigil.raft.admin.proto.JoinTokenReply;
import vigil.raft.admin.proto.JoinTokenRequest;
import vigil.raft.admin.proto.RotateReply;
import vigil.raft.admin.proto.RotateRequest;

/**
 * The admin gRPC service over any {@link Cluster} (a node's own, in the daemon). Serve it behind
 * {@link TokenAuth#server}, as {@link AdminServer} does.
 */
public final class AdminService extends AdminGrpc.AdminImplBase {
    static final Metadata.Key<String> FIELD = Metadata.Key.of("vigil-field", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> PROBLEM = Metadata.Key.of("vigil-problem", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> FIX = Metadata.Key.of("vigil-fix", Metadata.ASCII_STRING_MARSHALLER);
    private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);
    private static final Ack ACK = Ack.getDefaultInstance();

    private final Cluster cluster;
    private final NodeAdmin node;

    public AdminService(Cluster cluster) { this(cluster, null); }

    /** @param node the serving node's own operations (membership, certificates), or null for a bare cluster */
    public AdminService(Cluster cluster, NodeAdmin node) {
        this.cluster = cluster;
        this.node = node;
    }

    private NodeAdmin node() {
        if (node == null) throw new VigilException("this server does not manage cluster membership or certificates (it is not a cluster node)");
        return node;
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusReply> reply) {
        call(reply, () -> {
            StatusReply.Builder b = StatusReply.newBuilder().setState(AdminCodec.state(SecretMask.mask(cluster.status())));
            if (node != null) {
                b.setNode(node.nodeId()).setInsecure(node.insecure()).addAllVoters(node.voters());
                if (node.certificateExpires() != null) b.setCertificateExpires(AdminCodec.timestamp(node.certificateExpires()));
            }
            return b.build();
        });
    }

    @Override
    public void getConfig(GetConfigRequest request, StreamObserver<ConfigReply> reply) {
        call(reply, () -> {
            if (request.getShowSecrets() && Access.ROLE.get() != Access.Role.ADMIN) {
                throw io.grpc.Status.PERMISSION_DENIED.withDescription("showing secrets needs the admin role").asRuntimeException();
            }
            var s = cluster.status();
            var config = request.getShowSecrets() ? s.config() : SecretMask.mask(s.config());
            return ConfigReply.newBuilder().setConfig(AdminCodec.config(config)).setVersion(s.configVersion()).build();
        });
    }

    @Override
    public void createJoinToken(JoinTokenRequest r, StreamObserver<JoinTokenReply> reply) {
        call(reply, () -> {
            java.time.Duration ttl = r.hasTtl() ? AdminCodec.duration(r.getTtl()) : java.time.Duration.ofHours(1);
            JoinTokens.Token t = node().createJoinToken(ttl);
            LOG.info("admin: join token " + t.id() + " created, valid " + ttl);
            return JoinTokenReply.newBuilder().setToken(t.toString()).setExpires(AdminCodec.timestamp(java.time.Instant.now().plus(ttl)))
                    .setVia(node().nodeId()).build();
        });
    }

    @Override
    public void addMember(AddMemberRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> {
            var n = AdminCodec.node(r.getNode());
            node().addMember(n);
            LOG.info(n.id() + ": admin added member (" + n.role().name().toLowerCase(java.util.Locale.ROOT) + " at " + n.address() + ")");
            return ACK;
        });
    }

    @Override
    public void confirmPeerDown(NodeRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> {
            node().confirmPeerDown(r.getNode());
            LOG.warn(r.getNode() + ": an administrator confirmed it is down (two-node mode)");
            return ACK;
        });
    }

    @Override
    public void removeMember(NodeRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> {
            node().removeMember(r.getNode());
            LOG.info(r.getNode() + ": admin removed member");
            return ACK;
        });
    }

    @Override
    public void rotateCertificate(RotateRequest r, StreamObserver<RotateReply> reply) {
        call(reply, () -> {
            java.time.Instant until = node().rotateCertificate();
            return RotateReply.newBuilder().setNode(node().nodeId()).setNotAfter(AdminCodec.timestamp(until)).build();
        });
    }

    @Override
    public void applyConfig(ApplyConfigRequest request, StreamObserver<Ack> reply) {
        call(reply, () -> {
            ClusterConfig next = AdminCodec.config(request.getConfig());
            if (request.hasExpectedVersion()) {
                // the client read the configuration with its secrets masked
                ClusterConfig current = cluster.status().config();
                cluster.applyConfig(SecretMask.unmask(next, current), request.getExpectedVersion(), request.getChangeId());
            } else {
                cluster.updateConfig(current -> SecretMask.unmask(next, current));
            }
            LOG.info("admin: configuration replaced ({} nodes, {} resources, {} constraints)", next.nodes().size(), next.resources().size(),
                    next.constraints().size());
            return ACK;
        });
    }

    @Override
    public void move(PlacementRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> {
            cluster.move(r.getResource(), r.getNode(), AdminCodec.duration(r.getLifetime()));
            LOG.info("{}: admin move to {} for {}", r.getResource(), r.getNode(), AdminCodec.duration(r.getLifetime()));
            return ACK;
        });
    }

    @Override
    public void ban(PlacementRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> {
            cluster.ban(r.getResource(), r.getNode(), AdminCodec.duration(r.getLifetime()));
            LOG.info("{}: admin ban from {} for {}", r.getResource(), r.getNode(), AdminCodec.duration(r.getLifetime()));
            return ACK;
        });
    }

    @Override
    public void clear(ResourceRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> { cluster.clear(r.getResource()); LOG.info("{}: admin clear move/ban", r.getResource()); return ACK; });
    }

    @Override
    public void enable(ResourceRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> { cluster.enable(r.getResource()); LOG.info("{}: admin enable", r.getResource()); return ACK; });
    }

    @Override
    public void disable(ResourceRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> { cluster.disable(r.getResource()); LOG.info("{}: admin disable", r.getResource()); return ACK; });
    }

    @Override
    public void cleanup(CleanupRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> {
            cluster.cleanup(r.getResource(), r.hasNode() ? r.getNode() : null);
            LOG.info("{}: admin cleanup{}{}", r.getResource(), r.hasNode() ? " on " : "", r.getNode());
            return ACK;
        });
    }

    @Override
    public void standby(NodeRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> { cluster.standby(r.getNode()); LOG.info("{}: admin standby", r.getNode()); return ACK; });
    }

    @Override
    public void online(NodeRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> { cluster.online(r.getNode()); LOG.info("{}: admin online", r.getNode()); return ACK; });
    }

    @Override
    public void maintenance(MaintenanceRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> {
            cluster.maintenance(r.getNode(), r.getOn());
            LOG.info("{}: admin maintenance {}", r.getNode(), r.getOn() ? "on" : "off");
            return ACK;
        });
    }

    @Override
    public void fence(NodeRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> { cluster.fence(r.getNode()); LOG.info("{}: admin fence requested", r.getNode()); return ACK; });
    }

    @Override
    public void shutdown(ShutdownRequest r, StreamObserver<Ack> reply) {
        call(reply, () -> {
            cluster.shutdown(r.getNode(), r.getForce());
            LOG.info("{}: admin stop requested{}", r.getNode(), r.getForce() ? " (forced)" : "");
            return ACK;
        });
    }

    @Override
    public void resourceType(vigil.raft.admin.proto.ResourceTypeRequest r, StreamObserver<vigil.raft.admin.proto.ResourceTypeReply> reply) {
        call(reply, () -> AdminCodec.resourceType(cluster.resourceType(r.getType())));
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<Event> events) {
        ServerCallStreamObserver<Event> out = (ServerCallStreamObserver<Event>) events;
        Object lock = new Object();
        Subscription sub;
        try {
            sub = cluster.subscribe(e -> {
                if (e instanceof ClusterEvent.StateChanged && !request.getWithState()) return;
                Event ev = AdminCodec.event(e instanceof ClusterEvent.StateChanged sc ? new ClusterEvent.StateChanged(sc.index(), SecretMask.mask(sc.state())) : e);
                synchronized (lock) {
                    if (!out.isCancelled()) out.onNext(ev);
                }
            });
        } catch (RuntimeException e) {
            events.onError(toStatus(e));
            return;
        }
        out.setOnCancelHandler(sub::close);
    }

    private static <T> void call(StreamObserver<T> reply, Supplier<T> body) {
        T result;
        try {
            result = body.get();
        } catch (RuntimeException e) {
            reply.onError(toStatus(e));
            return;
        }
        reply.onNext(result);
        reply.onCompleted();
    }

    static StatusRuntimeException toStatus(RuntimeException e) {
        if (e instanceof ConfigException c) {
            Metadata t = new Metadata();
            t.put(FIELD, ascii(c.field()));
            t.put(PROBLEM, ascii(c.problem()));
            t.put(FIX, ascii(c.fix()));
            return Status.INVALID_ARGUMENT.withDescription(c.getMessage()).asRuntimeException(t);
        }
        if (e instanceof ClusterUnavailableException) return Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException();
        if (e instanceof VigilException) return Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException();
        if (e instanceof StatusRuntimeException s) return s;
        if (e instanceof java.io.UncheckedIOException) return Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException();
        LOG.error("admin: call failed unexpectedly", e);
        return Status.INTERNAL.withDescription("internal error in the daemon: " + e).asRuntimeException();
    }

    /** Metadata values must be ASCII; the message keeps the original text. */
    private static String ascii(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) sb.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
        return sb.toString();
    }
}
