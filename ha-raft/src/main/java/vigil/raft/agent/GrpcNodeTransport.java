package vigil.raft.agent;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import vigil.api.model.Node;
import vigil.api.status.OcfCode;
import vigil.engine.controller.NodeTransport;
import vigil.raft.agent.proto.NodeAgentGrpc;
import vigil.raft.tls.ClusterTrust;
import vigil.raft.tls.GrpcTls;
import vigil.raft.tls.NodeTls;

/** The controller's side of the node agent protocol, over gRPC; one channel per node, reused. */
public final class GrpcNodeTransport implements NodeTransport, AutoCloseable {
    private final Function<String, Node> nodes;
    private final CallCredentials credentials;
    private final NodeTls tls;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param nodes       looks up a node's current config (its address may change with the config)
     * @param tls         this node's certificate: each call goes over mutual TLS to a server that must present the
     *                    certificate of the node it was meant for; null: plaintext (insecure lab clusters)
     * @param credentials the cluster token, attached to every plaintext call (never sent over TLS: the certificate
     *                    says who calls)
     */
    public GrpcNodeTransport(Function<String, Node> nodes, NodeTls tls, CallCredentials credentials) {
        this.nodes = nodes;
        this.tls = tls;
        this.credentials = credentials;
    }

    /**
     * Opens the channels to {@code nodes} now, so that this node, once elected, reaches every agent at its first
     * heartbeat: a channel's first connection costs a TLS handshake (and, in a fresh process, loading and compiling
     * the TLS code), which took most of a node-timeout on a busy machine, and the agents then fell back to the
     * no-quorum-policy. A channel that is connected already is left alone; unknown nodes are skipped.
     */
    public void connect(Collection<String> nodes) {
        for (String node : nodes) {
            if (closed) return;
            try {
                channel(node).getState(true);
            } catch (RuntimeException e) {
                // unknown node, or no certificate for it yet: the next heartbeat tries again and reports it
            }
        }
    }

    private ManagedChannel channel(String node) {
        Node n = nodes.apply(node);
        if (n == null) throw new IllegalArgumentException("unknown node " + node);
        String target = AgentAddresses.of(n);
        return channels.compute(node, (k, old) -> {
            if (closed) throw new IllegalStateException("node transport closed");
            if (old != null && old.authority().equals(target) && !old.isShutdown()) return old;
            if (old != null) old.shutdownNow();
            if (tls == null) return ManagedChannelBuilder.forTarget(target).usePlaintext().build();
            return NettyChannelBuilder.forTarget(target).sslContext(GrpcTls.client(tls, ClusterTrust.node(node))).build();
        });
    }

    private NodeAgentGrpc.NodeAgentStub stub(String node) {
        ManagedChannel ch = channel(node);
        // gRPC waits up to two minutes between reconnects to a peer that was down; a node that was stopped or fenced
        // and started again must be heard at the next heartbeat, not minutes later
        if (ch.getState(false) == io.grpc.ConnectivityState.TRANSIENT_FAILURE) ch.resetConnectBackoff();
        NodeAgentGrpc.NodeAgentStub stub = NodeAgentGrpc.newStub(ch);
        return tls == null ? stub.withCallCredentials(credentials) : stub;
    }

    @Override
    public CompletableFuture<NodeTransport.HeartbeatReply> heartbeat(String node, NodeTransport.HeartbeatRequest request) {
        CompletableFuture<NodeTransport.HeartbeatReply> f = new CompletableFuture<>();
        try {
            vigil.raft.agent.proto.HeartbeatRequest req = vigil.raft.agent.proto.HeartbeatRequest.newBuilder().setLeader(request.leader()).setTerm(request.term())
                    .setNodeTimeoutMs(request.nodeTimeout().toMillis()).setLeaseValid(request.leaseValid()).setFenceYourself(request.fenceYourself())
                    .setStop(request.stop()).setSeq(request.seq()).setConfirmedSeq(request.confirmed()).setLeaseLeftMs(request.leaseLeft().toMillis()).build();
            stub(node).withDeadlineAfter(Math.max(100, request.nodeTimeout().toMillis()), TimeUnit.MILLISECONDS)
                    .heartbeat(req, observer(f, GrpcNodeTransport::reply));
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    @Override
    public CompletableFuture<NodeTransport.ActionReply> execute(String node, NodeTransport.ActionRequest request) {
        CompletableFuture<NodeTransport.ActionReply> f = new CompletableFuture<>();
        try {
            vigil.raft.agent.proto.ActionRequest req = vigil.raft.agent.proto.ActionRequest.newBuilder().setTerm(request.term()).setLeader(request.leader()).setResource(request.resource())
                    .setAction(request.action()).setIntervalMs(request.interval().toMillis()).setPeer(request.peer())
                    .setTimeoutMs(request.timeout().toMillis()).setConfigVersion(request.configVersion()).build();
            long deadline = request.timeout().plus(Duration.ofSeconds(10)).toMillis();
            stub(node).withDeadlineAfter(deadline, TimeUnit.MILLISECONDS)
                    .execute(req, observer(f, (vigil.raft.agent.proto.ActionReply r) -> new NodeTransport.ActionReply(r.getAccepted(), r.getRejection(), OcfCode.of(r.getOcfCode()), r.getMessage())));
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    @Override
    public CompletableFuture<vigil.api.spi.FenceResult> checkFenceDevice(String node, NodeTransport.FenceCheckRequest request) {
        CompletableFuture<vigil.api.spi.FenceResult> f = new CompletableFuture<>();
        try {
            vigil.raft.agent.proto.FenceCheckRequest req = vigil.raft.agent.proto.FenceCheckRequest.newBuilder().setTerm(request.term())
                    .setLeader(request.leader()).setDevice(request.device()).build();
            stub(node).withDeadlineAfter(5, TimeUnit.MINUTES).checkFenceDevice(req, observer(f, (vigil.raft.agent.proto.FenceCheckReply r) -> r.getOk()
                    ? new vigil.api.spi.FenceResult.On(r.getDetail()) : new vigil.api.spi.FenceResult.Failed(r.getDetail())));
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    static NodeTransport.HeartbeatReply reply(vigil.raft.agent.proto.HeartbeatReply r) {
        Duration timeout = Duration.ofMillis(r.getWatchdogTimeoutMs());
        NodeTransport.WatchdogReport w = timeout.isZero() ? NodeTransport.WatchdogReport.NONE
                : r.getWatchdogResetting() ? NodeTransport.WatchdogReport.resetting(timeout, Duration.ofMillis(r.getWatchdogResetWithinMs()))
                : NodeTransport.WatchdogReport.armed(timeout);
        return new NodeTransport.HeartbeatReply(r.getNode(), r.getNewestTerm(), r.getReady(), r.getInFlightList(),
                r.getWallClockMs() == 0 ? null : Instant.ofEpochMilli(r.getWallClockMs()), w, r.getLeaving(), r.getDegraded());
    }

    private static <P, R> StreamObserver<P> observer(CompletableFuture<R> f, Function<P, R> convert) {
        return new StreamObserver<>() {
            @Override
            public void onNext(P value) { f.complete(convert.apply(value)); }

            @Override
            public void onError(Throwable t) { f.completeExceptionally(t); }

            @Override
            public void onCompleted() { }
        };
    }

    @Override
    public void close() {
        closed = true;
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
