package vigil.raft.admin;

import io.grpc.CallCredentials;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.security.cert.X509Certificate;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.Cluster;
import vigil.api.ClusterEvent;
import vigil.api.ClusterListener;
import vigil.api.ClusterUnavailableException;
import vigil.api.ConfigException;
import vigil.api.Subscription;
import vigil.api.VigilException;
import vigil.api.model.ClusterConfig;
import vigil.api.status.ClusterState;
import vigil.raft.admin.proto.AdminGrpc;
import vigil.raft.admin.proto.ApplyConfigRequest;
import vigil.raft.admin.proto.CleanupRequest;
import vigil.raft.admin.proto.Event;
import vigil.raft.admin.proto.MaintenanceRequest;
import vigil.raft.admin.proto.NodeRequest;
import vigil.raft.admin.proto.PlacementRequest;
import vigil.raft.admin.proto.ResourceRequest;
import vigil.raft.admin.proto.ShutdownRequest;
import vigil.raft.admin.proto.StatusRequest;
import vigil.raft.admin.proto.WatchRequest;
import vigil.raft.admin.proto.AddMemberRequest;
import vigil.raft.admin.proto.GetConfigRequest;
import vigil.raft.admin.proto.JoinTokenRequest;
import vigil.raft.admin.proto.RotateRequest;
import vigil.raft.tls.ClusterTrust;
import vigil.raft.tls.GrpcTls;
import vigil.raft.tls.NodeTls;

/**
 * The failover API of a remote cluster over the admin gRPC API: the CLI and embedding applications use the same
 * {@link Cluster} interface as in-process code. Calls go to the first reachable of the given admin addresses.
 *
 * <pre>{@code
 * try (Cluster cluster = AdminClient.connect(List.of("10.0.0.1:9871", "10.0.0.2:9871"), token)) {
 *     cluster.move("vm1", "kvm2", Duration.ofMinutes(30));
 * }
 * }</pre>
 */
public final class AdminClient implements Cluster {
    private static final Logger LOG = LoggerFactory.getLogger(AdminClient.class);
    private static final int CONFIG_RETRIES = 20;

    private final List<String> targets;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final CallCredentials credentials;
    private final Duration deadline;
    private volatile int preferred;

    /**
     * How a client proves who it is and how it checks the server.
     *
     * @param ca          the cluster CA: the server must present a node certificate it signed (null: plaintext,
     *                    only for an insecure lab cluster)
     * @param certificate the client's own certificate of that CA (its role: admin or read-only), or null
     * @param token       the cluster token (admin role), or null; sent only to a server the CA vouches for (or in
     *                    plaintext to an insecure cluster)
     */
    public record Credentials(List<X509Certificate> ca, NodeTls certificate, String token) {
        public Credentials {
            ca = ca == null ? null : List.copyOf(ca);
            if (certificate == null && token == null) throw new IllegalArgumentException("give a client certificate or the cluster token");
        }

        /** The token over TLS, checking the server against {@code ca}. */
        public static Credentials token(String token, List<X509Certificate> ca) { return new Credentials(Objects.requireNonNull(ca, "ca"), null, token); }

        /** A client certificate (mutual TLS); its CA checks the server. */
        public static Credentials certificate(NodeTls tls) { return new Credentials(tls.trustAnchors(), tls, null); }

        /** The token in plaintext: anyone on the path can read it. Only for an insecure lab cluster. */
        public static Credentials insecure(String token) { return new Credentials(null, null, token); }

        public boolean isTls() { return ca != null; }
    }

    private AdminClient(List<String> targets, Credentials creds, Duration deadline) {
        if (targets.isEmpty()) throw new IllegalArgumentException("no admin address given");
        this.targets = List.copyOf(targets);
        this.credentials = creds.token() == null ? null : TokenAuth.client(creds.token());
        this.deadline = deadline;
        SslContext ssl = null;
        if (creds.isTls()) {
            ssl = creds.certificate() != null ? GrpcTls.client(new ClusterTrust(creds::ca, ClusterTrust.ANY_NODE_SERVER), creds.certificate())
                    : GrpcTls.client(creds.ca());
        }
        for (String t : targets) {
            int colon = t.lastIndexOf(':');
            NettyChannelBuilder b = NettyChannelBuilder.forAddress(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1)));
            channels.add(ssl == null ? b.usePlaintext().build() : b.sslContext(ssl).build());
        }
    }

    /** A client of an INSECURE (plaintext) cluster reachable at any of {@code targets} (admin host:port), presenting {@code token}. */
    public static AdminClient connect(List<String> targets, String token) { return connect(targets, Credentials.insecure(token), Duration.ofSeconds(30)); }

    public static AdminClient connect(List<String> targets, String token, Duration callDeadline) { return connect(targets, Credentials.insecure(token), callDeadline); }

    /** A client of the cluster reachable at any of {@code targets} (admin host:port); each call waits at most {@code callDeadline}. */
    public static AdminClient connect(List<String> targets, Credentials credentials, Duration callDeadline) {
        return new AdminClient(targets, credentials, callDeadline);
    }

    private AdminGrpc.AdminBlockingStub stub(int i) {
        AdminGrpc.AdminBlockingStub s = AdminGrpc.newBlockingStub(channels.get(i)).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
        return credentials == null ? s : s.withCallCredentials(credentials);
    }

    /** Runs {@code call} on the preferred target, then the others while they are unreachable. */
    private <T> T call(String what, Function<AdminGrpc.AdminBlockingStub, T> call) { return call(what, call, false); }

    /**
     * As {@link #call}, for a call that only reads: one cut off by its server going away (a node that stops closes its
     * open calls, which the client sees as CANCELLED) is asked of the next target, as if that server were unreachable.
     */
    private <T> T read(String what, Function<AdminGrpc.AdminBlockingStub, T> call) { return call(what, call, true); }

    private <T> T call(String what, Function<AdminGrpc.AdminBlockingStub, T> call, boolean readOnly) {
        List<String> failures = new ArrayList<>();
        int start = preferred;
        for (int k = 0; k < targets.size(); k++) {
            int i = (start + k) % targets.size();
            try {
                T result = call.apply(stub(i));
                preferred = i;
                return result;
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED || readOnly && code == Status.Code.CANCELLED) {
                    failures.add(targets.get(i) + ": " + describe(e.getStatus()));
                    if (isTlsRefusal(e)) {
                        throw new VigilException("cannot talk to " + targets.get(i) + " securely: " + describe(e.getStatus())
                                + " (is it a node of this cluster? check the CA certificate given, or whether the cluster runs insecure)");
                    }
                    continue;
                }
                throw translate(e);
            }
        }
        throw new ClusterUnavailableException("cannot reach the cluster for " + what + " (" + String.join("; ", failures)
                + "); check --cluster (the admin host:port of a running node) and that the daemons run");
    }

    /** A refused handshake (the server is not a node of our CA, or refused our certificate) is not worth retrying elsewhere quietly. */
    private static boolean isTlsRefusal(StatusRuntimeException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) return true;
        }
        return false;
    }

    private static String describe(Status s) {
        String d = s.getDescription();
        if (d == null && s.getCause() != null) d = s.getCause().getMessage();
        return s.getCode() + (d == null ? "" : " " + d);
    }

    static RuntimeException translate(StatusRuntimeException e) {
        Status s = e.getStatus();
        String d = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
        switch (s.getCode()) {
            case INVALID_ARGUMENT: {
                Metadata t = e.getTrailers();
                if (t != null && t.get(AdminService.FIELD) != null) {
                    return new ConfigException(t.get(AdminService.FIELD), t.get(AdminService.PROBLEM), t.get(AdminService.FIX));
                }
                return new VigilException(d);
            }
            case UNAUTHENTICATED: return new VigilException("the cluster refused the call: " + d);
            case PERMISSION_DENIED: return new VigilException("the cluster refused the call: " + d);
            case UNAVAILABLE: return new ClusterUnavailableException(d);
            default: return new VigilException(d);
        }
    }

    @Override
    public ClusterState status() {
        return AdminCodec.state(read("status", s -> s.status(StatusRequest.getDefaultInstance())).getState());
    }

    @Override
    public void applyConfig(ClusterConfig config) {
        call("config apply", s -> s.applyConfig(ApplyConfigRequest.newBuilder().setConfig(AdminCodec.config(config)).build()));
    }

    @Override
    public void applyConfig(ClusterConfig config, long expectedVersion, String changeId) {
        call("config apply", s -> s.applyConfig(ApplyConfigRequest.newBuilder().setConfig(AdminCodec.config(config)).setExpectedVersion(expectedVersion)
                .setChangeId(changeId).build()));
    }

    /**
     * Compare-and-set on the config version, retried while other changes land first. One change id for the whole call:
     * when an answer is lost and the request goes to another node, or is sent again, the change is applied once.
     */
    @Override
    public void updateConfig(UnaryOperator<ClusterConfig> change) {
        String id = UUID.randomUUID().toString();
        for (int attempt = 1; ; attempt++) {
            ClusterState s = status();
            ClusterConfig next = change.apply(s.config());
            try {
                applyConfig(next, s.configVersion(), id);
                return;
            } catch (ConfigException e) {
                if (!"config.version".equals(e.field()) || attempt >= CONFIG_RETRIES) throw e;
            }
        }
    }

    @Override
    public void move(String resource, String node, Duration lifetime) {
        call("move", s -> s.move(PlacementRequest.newBuilder().setResource(resource).setNode(node).setLifetime(AdminCodec.span(lifetime)).build()));
    }

    @Override
    public void ban(String resource, String node, Duration lifetime) {
        call("ban", s -> s.ban(PlacementRequest.newBuilder().setResource(resource).setNode(node).setLifetime(AdminCodec.span(lifetime)).build()));
    }

    @Override
    public void clear(String resource) { call("clear", s -> s.clear(ResourceRequest.newBuilder().setResource(resource).build())); }

    @Override
    public void enable(String resource) { call("enable", s -> s.enable(ResourceRequest.newBuilder().setResource(resource).build())); }

    @Override
    public void disable(String resource) { call("disable", s -> s.disable(ResourceRequest.newBuilder().setResource(resource).build())); }

    @Override
    public void cleanup(String resource, String node) {
        CleanupRequest.Builder b = CleanupRequest.newBuilder().setResource(resource);
        if (node != null) b.setNode(node);
        call("cleanup", s -> s.cleanup(b.build()));
    }

    @Override
    public void standby(String node) { call("standby", s -> s.standby(NodeRequest.newBuilder().setNode(node).build())); }

    @Override
    public void online(String node) { call("online", s -> s.online(NodeRequest.newBuilder().setNode(node).build())); }

    @Override
    public void maintenance(String node, boolean on) {
        call("maintenance", s -> s.maintenance(MaintenanceRequest.newBuilder().setNode(node).setOn(on).build()));
    }

    @Override
    public void shutdown(String node, boolean force) {
        call("shutdown", s -> s.shutdown(ShutdownRequest.newBuilder().setNode(node).setForce(force).build()));
    }

    @Override
    public vigil.api.spi.ResourceMetadata resourceType(String type) {
        vigil.raft.admin.proto.ResourceTypeRequest req = vigil.raft.admin.proto.ResourceTypeRequest.newBuilder().setType(type).build();
        vigil.raft.admin.proto.ResourceTypeReply reply = read("resource type", s -> s.resourceType(req));
        return AdminCodec.resourceType(reply);
    }

    @Override
    public void fence(String node) { call("fence", s -> s.fence(NodeRequest.newBuilder().setNode(node).build())); }

    /** What the node that answered says about itself: whether it runs without TLS, when its certificate expires. */
    public record ServerInfo(String node, boolean insecure, java.time.Instant certificateExpires, List<String> voters) {}

    /** The status together with the answering node's {@link ServerInfo}. */
    public record Status2(ClusterState state, ServerInfo server) {}

    public Status2 statusWithServer() {
        var r = read("status", s -> s.status(StatusRequest.getDefaultInstance()));
        return new Status2(AdminCodec.state(r.getState()), new ServerInfo(r.getNode(), r.getInsecure(),
                r.hasCertificateExpires() ? AdminCodec.instant(r.getCertificateExpires()) : null, List.copyOf(r.getVotersList())));
    }

    /** The configuration; with {@code showSecrets} (admin role only) including secret parameters. */
    public ClusterConfig config(boolean showSecrets) {
        return AdminCodec.config(read("config show", s -> s.getConfig(GetConfigRequest.newBuilder().setShowSecrets(showSecrets).build())).getConfig());
    }

    /** A one-time join token made by the node that answers (the token, and that node's id). */
    public String[] createJoinToken(Duration ttl) {
        var r = call("token create", s -> s.createJoinToken(JoinTokenRequest.newBuilder().setTtl(AdminCodec.span(ttl)).build()));
        return new String[] {r.getToken(), r.getVia()};
    }

    /** Admits a joined host: config, then a Raft voter once the leader caught it up. */
    public void addMember(vigil.api.model.Node node) {
        call("node add", s -> s.addMember(AddMemberRequest.newBuilder().setNode(AdminCodec.node(node)).build()));
    }

    /** Removes a member (refused, with the reason, while it runs resources or if no majority would be left). */
    public void removeMember(String node) { call("node remove", s -> s.removeMember(NodeRequest.newBuilder().setNode(node).build())); }

    /**
     * Two-node mode: tells the answering node that its peer {@code node} is down (powered off by hand), so that it
     * continues alone. Connect to that node's own admin address.
     */
    public void confirmPeerDown(String node) {
        call("node confirm-down", s -> s.confirmPeerDown(NodeRequest.newBuilder().setNode(node).build()));
    }

    /** Gives the answering node a new key and certificate; returns its id and new expiry. */
    public ServerInfo rotateCertificate() {
        var r = call("certs rotate", s -> s.rotateCertificate(RotateRequest.getDefaultInstance()));
        return new ServerInfo(r.getNode(), false, AdminCodec.instant(r.getNotAfter()), List.of());
    }

    /**
     * Streams events from the first reachable node; when the stream breaks (that node died), it reconnects to the
     * next one. Events of the gap are not replayed: a listener that needs the full picture re-reads {@link #status()}
     * on {@link ClusterEvent.LeaderChanged}.
     */
    @Override
    public Subscription subscribe(ClusterListener listener) {
        return subscribe(listener, true);
    }

    /** @param withState whether to receive {@link ClusterEvent.StateChanged} (the whole state on every commit) */
    public Subscription subscribe(ClusterListener listener, boolean withState) {
        ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vigil-admin-events");
            t.setDaemon(true);
            return t;
        });
        Watch w = new Watch(listener, withState, delivery);
        w.open();
        return w;
    }

    private final class Watch implements Subscription {
        private final ClusterListener listener;
        private final boolean withState;
        private final ExecutorService delivery;
        private volatile boolean closed;
        private volatile Context.CancellableContext context;
        private int target = preferred;

        Watch(ClusterListener listener, boolean withState, ExecutorService delivery) {
            this.listener = listener;
            this.withState = withState;
            this.delivery = delivery;
        }

        synchronized void open() {
            if (closed) return;
            Context.CancellableContext ctx = Context.current().withCancellation();
            context = ctx;
            int i = target;
            AdminGrpc.AdminStub stub = credentials == null ? AdminGrpc.newStub(channels.get(i)) : AdminGrpc.newStub(channels.get(i)).withCallCredentials(credentials);
            ctx.run(() -> stub
                    .watch(WatchRequest.newBuilder().setWithState(withState).build(), new StreamObserver<Event>() {
                        @Override
                        public void onNext(Event e) {
                            ClusterEvent ce = AdminCodec.event(e);
                            if (ce != null) delivery.execute(() -> {
                                try {
                                    listener.onEvent(ce);
                                } catch (RuntimeException ex) {
                                    LOG.warn("admin events: listener failed on {}", ce.getClass().getSimpleName(), ex);
                                }
                            });
                        }

                        @Override
                        public void onError(Throwable t) { reopen(t); }

                        @Override
                        public void onCompleted() { reopen(null); }
                    }));
        }

        private void reopen(Throwable why) {
            if (closed) return;
            Status s = why == null ? Status.OK : Status.fromThrowable(why);
            if (s.getCode() == Status.Code.UNAUTHENTICATED) {
                LOG.error("admin events: {}", s.getDescription());
                return;
            }
            synchronized (this) { target = (target + 1) % targets.size(); }
            LOG.info("admin events: stream ended ({}), reconnecting to {}", s.getCode(), targets.get(target));
            delivery.execute(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                open();
            });
        }

        @Override
        public void close() {
            synchronized (this) {
                closed = true;
                if (context != null) context.cancel(null);
            }
            delivery.shutdownNow();
        }
    }

    @Override
    public void close() {
        for (ManagedChannel c : channels) c.shutdownNow();
        for (ManagedChannel c : channels) {
            try {
                c.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
