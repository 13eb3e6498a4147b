package vigil.raft.admin;

import io.grpc.CallCredentials;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
import vigil.raft.admin.proto.StatusRequest;
import vigil.raft.admin.proto.WatchRequest;

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

    private AdminClient(List<String> targets, String token, Duration deadline) {
        if (targets.isEmpty()) throw new IllegalArgumentException("no admin address given");
        this.targets = List.copyOf(targets);
        this.credentials = TokenAuth.client(Objects.requireNonNull(token, "token"));
        this.deadline = deadline;
        for (String t : targets) {
            int colon = t.lastIndexOf(':');
            channels.add(NettyChannelBuilder.forAddress(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1))).usePlaintext().build());
        }
    }

    /** A client of the cluster reachable at any of {@code targets} (admin host:port), presenting {@code token}; each call waits at most 30 s. */
    public static AdminClient connect(List<String> targets, String token) { return new AdminClient(targets, token, Duration.ofSeconds(30)); }

    public static AdminClient connect(List<String> targets, String token, Duration callDeadline) { return new AdminClient(targets, token, callDeadline); }

    private AdminGrpc.AdminBlockingStub stub(int i) {
        return AdminGrpc.newBlockingStub(channels.get(i)).withCallCredentials(credentials).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code call} on the preferred target, then the others while they are unreachable. */
    private <T> T call(String what, Function<AdminGrpc.AdminBlockingStub, T> call) {
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
                if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
                    failures.add(targets.get(i) + ": " + describe(e.getStatus()));
                    continue;
                }
                throw translate(e);
            }
        }
        throw new ClusterUnavailableException("cannot reach the cluster for " + what + " (" + String.join("; ", failures)
                + "); check --cluster (the admin host:port of a running node) and that the daemons run");
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
            case UNAVAILABLE: return new ClusterUnavailableException(d);
            default: return new VigilException(d);
        }
    }

    @Override
    public ClusterState status() {
        return AdminCodec.state(call("status", s -> s.status(StatusRequest.getDefaultInstance())).getState());
    }

    @Override
    public void applyConfig(ClusterConfig config) {
        call("config apply", s -> s.applyConfig(ApplyConfigRequest.newBuilder().setConfig(AdminCodec.config(config)).build()));
    }

    @Override
    public void updateConfig(UnaryOperator<ClusterConfig> change) {
        for (int attempt = 1; ; attempt++) {
            ClusterConfig base = status().config();
            ClusterConfig next = change.apply(base);
            try {
                call("config update", s -> s.applyConfig(ApplyConfigRequest.newBuilder().setConfig(AdminCodec.config(next))
                        .setBase(AdminCodec.config(base)).setHasBase(true).build()));
                return;
            } catch (VigilException e) {
                if (!e.getMessage().startsWith("the configuration changed since it was read") || attempt >= CONFIG_RETRIES) throw e;
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
    public void fence(String node) { call("fence", s -> s.fence(NodeRequest.newBuilder().setNode(node).build())); }

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
            ctx.run(() -> AdminGrpc.newStub(channels.get(i)).withCallCredentials(credentials)
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
