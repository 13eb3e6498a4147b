package vigil.raft.runtime;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.Cluster;
import vigil.api.Ticker;
import vigil.api.ConfigException;
import vigil.api.ManagedService;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.spi.DriverContext;
import vigil.api.spi.NodeFencer;
import vigil.api.spi.ResourceMetadata;
import vigil.api.spi.WatchdogProvider;
import vigil.api.status.FenceEvent;
import vigil.engine.controller.Controller;
import vigil.engine.controller.ExecutorOperations;
import vigil.engine.controller.LocalOperations;
import vigil.engine.controller.NodeAgent;
import vigil.engine.controller.WatchdogKeeper;
import vigil.engine.driver.DriverRegistry;
import vigil.engine.driver.JavaServiceDriver;
import vigil.engine.executor.Executor;
import vigil.engine.executor.Ledger;
import vigil.engine.scheduler.Scheduler;
import vigil.engine.state.Command;
import vigil.raft.CommandResult;
import vigil.raft.RaftCluster;
import vigil.raft.VigilNode;
import vigil.raft.admin.Access;
import vigil.raft.admin.AdminClient;
import vigil.raft.admin.EnrollmentService;
import vigil.raft.admin.AdminService;
import vigil.raft.admin.TokenAuth;
import vigil.raft.agent.AgentAddresses;
import vigil.raft.agent.GrpcNodeTransport;
import vigil.raft.agent.NodeAgentService;
import vigil.raft.tls.GrpcTls;
import vigil.raft.tls.NodeTls;

/**
 * A complete Vigil cluster member: the Raft replica of the cluster state, this node's executor and agent, the
 * controller that acts while this node is Raft leader, and the gRPC server (node agent and admin API) on its
 * api address (the {@code api-address} node attribute, else the Raft port + 1).
 *
 * <pre>{@code
 * try (ClusterNode node = ClusterNode.builder().id("n1").address("10.0.0.1:9870").peers(peers)
 *         .dataDir(Path.of("/var/lib/vigil")).clusterName("prod").token(token)
 *         .service("ticker", new Ticker()).start()) {
 *     node.cluster().subscribe(event -> System.out.println(event));
 * }
 * }</pre>
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("vigil.node");
    /**
     * How long one admission request may take: the member commits the new host to the config, then the leader catches it
     * up (its log, or a snapshot) and commits it as a voter. A request that takes longer is asked again.
     */
    private static final Duration ADMISSION_CALL = Duration.ofSeconds(60);
    /** How long a node asked to stop waits for the cluster to move its resources away (Pacemaker's shutdown-escalation). */
    public static final Duration STOP_TIMEOUT = Duration.ofMinutes(20);

    private final VigilNode raft;
    private final RaftCluster cluster;
    private final Executor executor;
    private final NodeAgent agent;
    private final Controller controller;
    private final WatchdogKeeper watchdog;
    private final GrpcNodeTransport transport;
    private final Server server;
    private final ScheduledExecutorService controllerThread;
    private final ScheduledExecutorService timers;
    private final ExecutorService fenceWorkers;
    private final Ledger ledger;
    private final NodeTls tls;
    private final ClusterMembership membership;
    private final Thread admission;
    private final TwoNodeGuard twoNode;
    private volatile boolean restartRequested;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<AutoCloseable> subscriptions = new ArrayList<>();
    private Thread bootstrapper;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicBoolean stopRequested = new java.util.concurrent.atomic.AtomicBoolean();

    private ClusterNode(Builder b) {
        // before anything of this node can hear another node: a fence confirmed before this start is older than that
        long starting = b.ticker.read();
        String self = b.id;
        Node me = b.peers.stream().filter(n -> n.id().equals(self)).findFirst().orElseThrow(() -> new ConfigException("peers",
                "this node (" + self + ") is not in the peer list", "add it to peers(...)"));
        // while this node leads, its controller's cluster time (the nodes' clocks' lower median) stamps every entry
        AtomicReference<Controller> stamps = new AtomicReference<>();
        VigilNode.Builder vb = VigilNode.builder().id(self).address(me.address()).peers(b.peers).dataDir(b.dataDir).clusterName(b.clusterName)
                .clusterId(b.clusterId).joining(b.joining).secret(b.token).meterRegistry(b.registry).nodeTimeout(b.nodeTimeout)
                .snapshotThreshold(b.snapshotThreshold).logSegmentSize(b.logSegmentSize)
                .clusterTime(() -> stamps.get() == null ? Optional.empty() : stamps.get().clusterTime());
        if (b.tls != null) vb.tls(b.tls); else vb.insecure();
        this.raft = vb.start();
        this.tls = b.tls;
        if (tls != null) {
            io.micrometer.core.instrument.Gauge.builder("vigil_tls_certificate_expiry_seconds", tls, t -> Duration.between(java.time.Instant.now(), t.notAfter()).toSeconds())
                    .description("Seconds until this node's TLS certificate expires (renew with vigil certs rotate)").register(b.registry);
        } else {
            LOG.warn("{}: INSECURE: TLS is off (insecure lab switch); anyone on the network can read and forge this cluster's traffic", self);
        }
        this.timers = Executors.newScheduledThreadPool(2, daemon("vigil-" + self + "-timer"));
        this.controllerThread = Executors.newSingleThreadScheduledExecutor(daemon("vigil-" + self + "-controller"));
        this.fenceWorkers = Executors.newCachedThreadPool(daemon("vigil-" + self + "-fence"));

        JavaServiceDriver javaServices = new JavaServiceDriver();
        b.services.forEach(javaServices::register);
        DriverRegistry drivers = DriverRegistry.load(javaServices, new DriverContext(new ReplicatedOutdatedCopies(raft)));
        ExecutorOperations ops = new ExecutorOperations(raft::state, me.role() == NodeRole.MEMBER);
        this.ledger = b.ledger == null ? null : Ledger.open(b.ledger, InstantSource.system());
        Executor.Builder eb = Executor.builder(self, drivers, timers).clock(b.clock).listener(ops);
        if (ledger != null) eb.ledger(ledger);
        this.executor = eb.build();
        ops.attach(executor);
        Function<List<Command>, CompletableFuture<?>> submit = this::submit;
        this.agent = new NodeAgent(self, ops, submit, raft::state, raft::term, b.clock, b.ticker, timers);
        this.watchdog = b.watchdog == null ? null : watchdogKeeper(self, b, submit, ops);
        if (watchdog != null) agent.watchdog(watchdog);
        agent.reportHealth(raft::problem);
        NodeAgent localAgent = agent;
        this.cluster = new RaftCluster(raft, localAgent::hasLeader).describeTypesWith(type -> describe(self, drivers, javaServices, type));

        NodeFencer fencer = b.fencer != null ? b.fencer : loadFencer();
        this.transport = new GrpcNodeTransport(id -> raft.state().config().node(id)
                .or(() -> b.peers.stream().filter(n -> n.id().equals(id)).findFirst()).orElse(null), b.tls, b.token == null ? null : TokenAuth.client(b.token));
        Function<String, Duration> defaultTimeouts = key -> {
            int slash = key.lastIndexOf('/');
            return drivers.find(key.substring(0, slash)).map(d -> metadataTimeout(d.metadata(), key.substring(slash + 1))).orElse(null);
        };
        Function<List<Command>, CompletableFuture<?>> submitAsController = commands -> logRejections(commands, raft.submitAsController(commands));
        this.controller = new Controller(self, Scheduler::plan, raft::state, submitAsController, transport, fencer, b.clock, b.ticker, controllerThread,
                fenceWorkers, defaultTimeouts);
        stamps.set(controller);
        controller.livenessHints(agent::lastHeardFrom);
        controller.stepDownWith(peers -> raft.transferLeadership(preferMember(peers, raft.state()), Duration.ofSeconds(2)));

        String api = AgentAddresses.of(me);
        java.util.function.Predicate<String> members = raft.trustedMembers()::isMember;
        this.membership = new ClusterMembership(raft, b.tls, b.token);
        NettyServerBuilder sb = NettyServerBuilder.forAddress(new InetSocketAddress(AgentAddresses.host(api), AgentAddresses.port(api)))
                .addService(ServerInterceptors.intercept(new NodeAgentService(agent), Access.nodesOnly(b.token, members)))
                .addService(ServerInterceptors.intercept(new AdminService(cluster, membership), Access.admin(b.token, members)));
        if (b.tls != null) sb.sslContext(GrpcTls.server(b.tls)).addService(new EnrollmentService(membership));
        for (BindableService s : b.extraServices) sb.addService(ServerInterceptors.intercept(s, Access.admin(b.token, members)));
        this.server = sb.build();
        try {
            server.start();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(self + ": cannot serve the node API on " + api + " (is the port in use?)", e);
        }
        subscriptions.add(raft.onState((index, state) -> controller.onStateChanged()));
        // every node keeps its channels to all agents open (not only the controller's node), so that a node elected
        // after a leader's death reaches the agents at its first heartbeat instead of paying the TLS handshakes then
        timers.scheduleWithFixedDelay(() -> connectAgents(b.peers), 0, 5, TimeUnit.SECONDS);
        agent.onStopRequested(this::stopOnRequest);
        agent.checkFenceDevicesWith(device -> fencer.check(raft.state().config(), device), fenceWorkers);
        this.twoNode = new TwoNodeGuard(self, raft, b.dataDir, agent::hasLeader, fencer, b.ticker, fenceWorkers,
                peerApi -> askToAdmit(me, peerApi, b), this::restartItself);
        membership.twoNode(twoNode);
        controller.leaseVoters(s -> twoNode.single() ? List.of(self) : s.config().nodes().stream().map(Node::id).toList());
        raft.startedAloneAfter().ifPresent(fence -> controller.fenceConfirmedOutside(fence, starting));
        timers.scheduleWithFixedDelay(() -> {
            try {
                twoNode.tick();
            } catch (RuntimeException e) {
                LOG.warn("{}: two-node check failed: {}", self, e.toString());
            }
        }, 100, 100, TimeUnit.MILLISECONDS);
        subscriptions.add(raft.onLeadership((isLeader, leaderId, term) -> {
            if (isLeader) addMissingMembers(b.peers);
            controller.onLeadership(isLeader, term);
        }));
        if (raft.isLeader()) { // elected before we listened (a one-node cluster elects itself at once)
            addMissingMembers(b.peers);
            controller.onLeadership(true, raft.term());
        }
        if (b.bootstrap != null) {
            Thread t = new Thread(() -> bootstrap(b.bootstrap), "vigil-" + self + "-bootstrap");
            t.setDaemon(true);
            t.start();
            bootstrapper = t;
        }
        this.admission = b.joining ? startAdmission(me, b) : null;
        LOG.info("{}: member of {}, Raft {}, API {}", self, b.clusterName, me.address(), api);
    }

    private void connectAgents(List<Node> peers) {
        try {
            List<Node> nodes = raft.state().config().nodes();
            transport.connect((nodes.isEmpty() ? peers : nodes).stream().map(Node::id).toList());
        } catch (RuntimeException e) {
            LOG.debug("{}: opening the channels to the node agents: {}", raft.id(), e.toString());
        }
    }

    /**
     * Commits the bootstrap config unless the cluster was configured before: the replicated state decides (a
     * {@link Command.Bootstrap} is refused once it is configured), so a restarted or rebuilt node never replaces the
     * cluster's config with its local file. Retried until the cluster answers either way.
     */
    private void bootstrap(vigil.api.model.ClusterConfig config) {
        while (!Thread.currentThread().isInterrupted()) {
            if (raft.state().bootstrapped()) {
                LOG.info("{}: the cluster is configured already; the bootstrap config is not applied", raft.id());
                return;
            }
            try {
                CommandResult r = raft.submit(List.of(new Command.Bootstrap(config))).get(30, TimeUnit.SECONDS).get(0);
                if (r.ok()) LOG.info("{}: bootstrap config applied ({} resources)", raft.id(), config.resources().size());
                else LOG.info("{}: bootstrap config not applied: {}", raft.id(), r.error().problem());
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.debug("{}: bootstrap: no leader yet ({})", raft.id(), e.getMessage());
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * The watchdog keeper for the configured device. It is fed only while this node's engine works: the executor is
     * open and its timers (operation timeouts, recurring monitors, the quorum watch) run; after this node lost the cluster,
     * only while its executor provably runs nothing.
     */
    private WatchdogKeeper watchdogKeeper(String self, Builder b, Function<List<Command>, CompletableFuture<?>> submit, LocalOperations ops) {
        WatchdogProvider provider = ServiceLoader.load(WatchdogProvider.class, ClusterNode.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new ConfigException("watchdog", "a watchdog device is configured (" + b.watchdog
                        + ") but no watchdog module is on the class path", "add ha-fencing"));
        AtomicLong timersRan = new AtomicLong(b.ticker.read());
        timers.scheduleWithFixedDelay(() -> timersRan.set(b.ticker.read()), 0, 50, TimeUnit.MILLISECONDS);
        BooleanSupplier healthy = () -> {
            long stalled = b.ticker.read() - timersRan.get();
            return executor.isOpen() && stalled < raft.state().config().properties().nodeTimeout().toNanos() / 2;
        };
        return new WatchdogKeeper(self, b.watchdog, provider, raft::state, submit, b.ticker, healthy, ops::runsNothing);
    }

    /**
     * A host that joined asks the members it was told of to admit it (config, then a Raft voter once caught up) until it
     * votes; a restart after that finds itself a voter at once. Each request is bounded ({@link #ADMISSION_CALL}) and
     * asking again is safe: a member already in the config, already a voter, or being added by an earlier request that
     * is still running is not added twice.
     */
    private Thread startAdmission(Node me, Builder b) {
        List<Node> others = b.peers.stream().filter(n -> !n.id().equals(me.id())).toList();
        if (others.isEmpty()) {
            LOG.error("{}: joined, but its node config names no member of the cluster to ask for admission: it cannot become a member; "
                    + "join again with a new token (vigil token create on a member, then vigil join)", me.id());
            return null;
        }
        List<String> targets = others.stream().map(AgentAddresses::of).toList();
        String asked = String.join(", ", others.stream().map(n -> n.id() + " (" + AgentAddresses.of(n) + ")").toList());
        Thread t = new Thread(() -> {
            long backoff = 500;
            for (int attempt = 1; !Thread.currentThread().isInterrupted(); attempt++) {
                try {
                    if (raft.isVoter()) return;
                    LOG.info("{}: asking {} to admit it (attempt {})", me.id(), asked, attempt);
                    admit(targets, me, b.token, ADMISSION_CALL);
                    LOG.info("{}: admitted: a voting member now", me.id());
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("{}: not admitted yet ({}); asking again in {} ms", me.id(), e.getMessage(), backoff);
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    return;
                }
                backoff = Math.min(5000, backoff * 2);
            }
        }, "vigil-" + me.id() + "-admission");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Asks the members at {@code targets} (node API addresses) to make {@code me} a voter; throws when none did. */
    private void admit(List<String> targets, Node me, String token, Duration timeout) {
        AdminClient.Credentials creds = new AdminClient.Credentials(tls == null ? null : tls.trustAnchors(), tls, token);
        try (AdminClient c = AdminClient.connect(targets, creds, timeout)) {
            c.addMember(me);
        }
    }

    /** Two-node mode, waiting for the peer: asks it to admit this host (a peer running alone makes it a voter again). */
    private void askToAdmit(Node me, String peerApi, Builder b) {
        admit(List.of(peerApi), me, b.token, ADMISSION_CALL);
        LOG.info("{}: two-node: its peer at {} admitted it: a voter again", me.id(), peerApi);
    }

    /**
     * Two-node mode: this node closes so that its owner starts it again: as the only voter once its peer is confirmed
     * off, or to be admitted by its peer when its replica stopped before that. Not while it is being closed anyway.
     */
    private void restartItself() {
        if (closed.get()) return;
        restartRequested = true;
        close();
    }

    /**
     * Whether this node closed itself to start again (two-node mode: as the only voter of its cluster, its peer fenced
     * or confirmed down; or to be admitted by its peer): its owner starts it again from the same data directory (the
     * daemon does at once).
     */
    public boolean restartRequested() { return restartRequested; }

    /**
     * Stops this node cleanly, as {@code systemctl stop} or {@code vigil node stop} do (Pacemaker's shutdown): announces
     * the stop in the replicated state, waits while the controller moves or stops what runs here and then marks this node
     * OFFLINE (a node that left this way is never fenced for it), hands Raft leadership to a live peer if this node leads,
     * and returns; {@link #close()} then stops the node. Without a quorate leader nothing can be announced: it returns once
     * this node's executor is idle (the no-quorum-policy handled what ran here).
     *
     * @param timeout how long to wait for the cluster to move everything away (like Pacemaker's shutdown-escalation);
     *                after it, closing the node makes it fall silent, and the cluster fences it as it would any silent node
     * @return whether the node left cleanly (marked OFFLINE, or had nothing to announce)
     */
    public boolean leave(Duration timeout) {
        if (stopped.isDone()) return false;
        long end = System.nanoTime() + timeout.toNanos();
        CompletableFuture<?> announced = agent.leave();
        while (true) {
            vigil.api.status.NodeState me = raft.state().node(id());
            if (!me.isOnline() && (announced.isDone() || me.shutdown())) {
                if (me.membership() == vigil.api.status.Membership.UNCLEAN) {
                    LOG.warn("{}: stopping while the cluster counts this node as lost ({}): it will be fenced", id(), me.reason());
                    return false;
                }
                break; // marked OFFLINE by the controller (or it never joined: nothing to drain)
            }
            if (!agent.hasLeader() && executor.inFlight().isEmpty()) {
                LOG.warn("{}: stopping without a quorate leader: the shutdown cannot be announced", id());
                return false;
            }
            if (System.nanoTime() > end) {
                LOG.warn("{}: the cluster did not move everything off this node within {} s; stopping anyway", id(), timeout.toSeconds());
                return false;
            }
            if (announced.isCompletedExceptionally()) announced = agent.leave(); // not committed (e.g. a leader change): again
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        if (raft.isLeader()) {
            vigil.api.status.ClusterState s = raft.state();
            List<String> online = s.config().nodes().stream().map(Node::id).filter(n -> !n.equals(id()) && s.node(n).isOnline()).toList();
            if (!online.isEmpty()) raft.transferLeadership(preferMember(online, s), Duration.ofSeconds(2));
        }
        LOG.info("{}: left the cluster cleanly", id());
        return true;
    }

    /** An administrator asked this node to stop ({@code vigil node stop}): it leaves and closes; see {@link #stopped()}. */
    private void stopOnRequest() {
        if (!stopRequested.compareAndSet(false, true)) return;
        Thread t = new Thread(() -> {
            LOG.info("{}: stop requested through the cluster", id());
            leave(STOP_TIMEOUT);
            close();
        }, "vigil-" + id() + "-stop");
        t.setDaemon(true);
        t.start();
    }

    /** Completes when this node was closed, by {@link #close()} or because an administrator stopped it ({@code vigil node stop}). */
    public CompletableFuture<Void> stopped() { return stopped; }

    private CompletableFuture<?> submit(List<Command> commands) { return logRejections(commands, raft.submit(commands)); }

    private CompletableFuture<?> logRejections(List<Command> commands, CompletableFuture<List<CommandResult>> submitted) {
        return submitted.thenApply(results -> {
            for (int i = 0; i < results.size(); i++) {
                CommandResult r = results.get(i);
                if (!r.ok()) LOG.warn("{}: command rejected: {}: {}", raft.id(), commands.get(i).getClass().getSimpleName(), r.error().getMessage());
            }
            return results;
        });
    }

    /**
     * The Raft members this cluster was started with are its first nodes: the leader of a new cluster puts them into
     * the replicated config (once: afterwards only joins and removals change the membership).
     */
    private void addMissingMembers(List<Node> peers) {
        if (!raft.state().config().nodes().isEmpty()) return;
        List<Command> missing = new ArrayList<>();
        for (Node n : peers) if (raft.state().config().node(n.id()).isEmpty()) missing.add(new Command.PutNode(n));
        if (!missing.isEmpty()) submit(missing);
    }

    /** What this node's drivers declare for {@code type}; a ConfigException naming this node when it cannot run it. */
    static ResourceMetadata describe(String self, DriverRegistry drivers, JavaServiceDriver javaServices, String type) {
        if (JavaServiceDriver.isJavaType(type) && javaServices.service(type.substring(type.indexOf(':') + 1)).isEmpty()) {
            throw new ConfigException("type", "no java service \"" + type.substring(type.indexOf(':') + 1) + "\" is registered on " + self,
                    "register it with ClusterNode.Builder.service(...) on every node that may run it");
        }
        var driver = drivers.find(type).orElseThrow(() -> new ConfigException("type", "no driver for \"" + type + "\" on " + self,
                "use ocf:<provider>:<agent>, java:<name>, kvm or drbd, or add the module that provides it"));
        try {
            return driver.metadata();
        } catch (vigil.api.VigilException e) {
            throw new ConfigException("type", e.getMessage() + " (asked on " + self + ")", "install it on every node that may run it, or check its name");
        }
    }

    private static Duration metadataTimeout(ResourceMetadata md, String action) {
        return md.defaultTimeout(action).orElse(null);
    }

    private static NodeFencer loadFencer() {
        Optional<NodeFencer> f = ServiceLoader.load(NodeFencer.class, ClusterNode.class.getClassLoader()).findFirst();
        return f.orElse((config, target, action, executorNode) -> new FenceEvent(target, action, List.of(), executorNode, false,
                java.time.Instant.now(), "no fencing module on the class path: add ha-fencing, or set stonith-enabled=false"));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * A member if any: Raft refuses to hand leadership to a witness while a member of higher priority exists
     * ({@code RaftSetup.peer}), whether or not that member is alive.
     */
    static String preferMember(List<String> peers, vigil.api.status.ClusterState s) {
        return peers.stream().filter(p -> s.config().node(p).map(n -> n.role() != vigil.api.model.NodeRole.WITNESS).orElse(false))
                .findFirst().orElse(peers.get(0));
    }

    public static Builder builder() { return new Builder(); }

    public String id() { return raft.id(); }

    /** The failover API, served by this node. */
    public Cluster cluster() { return cluster; }

    /** This node's TLS identity (for an HTTPS endpoint, see {@link NodeTls#serverSslContext()}); null when it runs insecure. */
    public NodeTls tls() { return tls; }

    /** The Raft replica (for status details such as the leader and the applied index). */
    public VigilNode raft() { return raft; }

    /**
     * What this node itself knows right now, without asking the cluster (so it answers at once on a node cut off from
     * the majority): the leader it follows, the Raft term, and whether it hears a leader that holds a majority.
     */
    public LocalView localView() {
        return new LocalView(raft.id(), raft.leaderId(), raft.term(), agent.hearsQuorateLeader(), raft.state());
    }

    /**
     * This node's own view of the cluster.
     *
     * @param node    this node's id
     * @param leader  the Raft leader this node knows of, empty while it knows none
     * @param term    the Raft term this node is in
     * @param quorate whether it heard a leader holding a majority within node-timeout
     * @param state   the state this node has applied (never a Raft read; may lag the leader)
     */
    public record LocalView(String node, String leader, long term, boolean quorate, vigil.api.status.ClusterState state) {}

    /** Whether this node is the controller now. */
    public boolean isController() { return controller.isActive(); }

    /** Actions the controller has in flight (empty on followers). */
    public List<String> pendingActions() { return controller.pendingActions(); }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (bootstrapper != null) bootstrapper.interrupt();
        for (AutoCloseable s : subscriptions) {
            try {
                s.close();
            } catch (Exception ignored) {
                // closing a listener registration cannot fail in a way that matters at shutdown
            }
        }
        if (admission != null) admission.interrupt();
        if (controller != null) controller.close();
        if (agent != null) agent.close();
        if (executor != null) executor.close();
        // disarmed only when nothing can still run here; otherwise the host resets, as it must
        if (watchdog != null) watchdog.close(agent != null && agent.isReady() && executor.possiblyActive().isEmpty() && executor.inFlight().isEmpty());
        if (server != null) {
            server.shutdown();
            try {
                server.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.shutdownNow();
        }
        if (transport != null) transport.close();
        if (timers != null) timers.shutdownNow();
        if (controllerThread != null) controllerThread.shutdownNow();
        if (fenceWorkers != null) fenceWorkers.shutdownNow();
        if (cluster != null) cluster.close();
        if (raft != null) raft.close();
        if (ledger != null) ledger.close();
        stopped.complete(null);
    }

    /** Validating builder: {@link #start()} names the field that is missing or wrong. */
    public static final class Builder {
        private String id;
        private List<Node> peers = List.of();
        private Path dataDir;
        private String clusterName = "vigil";
        private String token;
        private MeterRegistry registry = new SimpleMeterRegistry();
        private Duration nodeTimeout = ClusterProperties.DEFAULTS.nodeTimeout();
        private InstantSource clock = InstantSource.system();
        private Ticker ticker = Ticker.system();
        private Path watchdog;
        private final Map<String, ManagedService> services = new LinkedHashMap<>();
        private NodeFencer fencer;
        private Path ledger;
        private final List<BindableService> extraServices = new ArrayList<>();
        private vigil.api.model.ClusterConfig bootstrap;
        private long snapshotThreshold = 10_000;
        private long logSegmentSize = 8L << 20;
        private NodeTls tls;
        private boolean insecure;
        private java.util.UUID clusterId;
        private boolean joining;

        public Builder id(String v) { id = v; return this; }
        /**
         * This node's certificate of the cluster CA: every port (Raft, node agent, admin API) then runs mutual TLS 1.3
         * and accepts only the cluster's nodes (and its admin clients on the admin API). Required unless {@link #insecure()}.
         */
        public Builder tls(NodeTls v) { tls = v; return this; }
        /** Plaintext on every port, guarded only by the token: anyone on the network can read and forge it. For a lab. */
        public Builder insecure() { insecure = true; return this; }
        /** The cluster's id (Raft group id); {@code vigil init} picks a random one. Default: derived from the cluster name. */
        public Builder clusterId(java.util.UUID v) { clusterId = v; return this; }
        /** This node joins a running cluster: it waits outside the Raft group until a member adds it (after catching it up). */
        public Builder joining(boolean v) { joining = v; return this; }
        /** Every voting member, this node included (witnesses too); this node's address is taken from its entry. */
        public Builder peers(List<Node> v) { peers = List.copyOf(v); return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder clusterName(String v) { clusterName = v; return this; }
        /**
         * The cluster token: admin clients without a certificate present it (over TLS). Required for an insecure
         * cluster, where the nodes present it too. Read it with {@code TokenAuth.readTokenFile}.
         */
        public Builder token(String v) { token = v; return this; }
        public Builder meterRegistry(MeterRegistry v) { registry = v; return this; }
        /** Raft timeouts are derived from it; keep it equal to the cluster's node-timeout property. */
        public Builder nodeTimeout(Duration v) { nodeTimeout = v; return this; }
        /** This node's wall clock: what it reports towards the cluster time (the lower median of the nodes' clocks). */
        public Builder clock(InstantSource v) { clock = Objects.requireNonNull(v, "clock"); return this; }
        /** This node's monotonic clock, for leases, timeouts and watchdog waits (default {@link System#nanoTime()}). */
        public Builder ticker(Ticker v) { ticker = Objects.requireNonNull(v, "ticker"); return this; }
        /**
         * The watchdog device this node arms (with the cluster's watchdog-timeout) and feeds while it hears a quorate
         * leader, e.g. {@code /dev/watchdog}: then a silent node counts as fenced once its watchdog must have reset it.
         * Needs ha-fencing on the class path. Default: none.
         */
        public Builder watchdog(Path device) { watchdog = device; return this; }
        /** Registers an application service, run by the cluster as a primitive of type {@code java:<name>}. */
        public Builder service(String name, ManagedService s) { services.put(name, s); return this; }
        /** Fences nodes (default: the one ha-fencing provides through ServiceLoader). */
        public Builder fencer(NodeFencer f) { fencer = f; return this; }
        /** Appends every resource start / stop to this file, fsync'ed (for fault-injection checks). */
        public Builder ledger(Path file) { ledger = file; return this; }
        /**
         * The configuration a brand-new cluster starts with. Applied at most once in the cluster's life: not when
         * the cluster was configured before (by any node's bootstrap config or by an administrator).
         */
        public Builder bootstrap(vigil.api.model.ClusterConfig config) { bootstrap = config; return this; }
        /** Log entries between automatic snapshots (see {@link VigilNode.Builder#snapshotThreshold}). */
        public Builder snapshotThreshold(long entries) { snapshotThreshold = entries; return this; }
        /** Largest Raft log segment file (see {@link VigilNode.Builder#logSegmentSize}). */
        public Builder logSegmentSize(long bytes) { logSegmentSize = bytes; return this; }
        /** Serves another gRPC service on this node's API port, behind the cluster token. */
        public Builder grpcService(BindableService s) { extraServices.add(s); return this; }

        public ClusterNode start() {
            if (tls == null && !insecure) {
                throw new ConfigException("tls", "no TLS identity given", "call tls(NodeTls.load(pkiDir)) with this node's certificate of the cluster CA, or insecure() for a lab");
            }
            if (tls != null && insecure) throw new ConfigException("insecure", "both tls(...) and insecure() given", "choose one");
            if (tls == null && (token == null || token.isBlank())) {
                throw new ConfigException("token", "the cluster token is missing", "call token(...) with the secret every node of this cluster shares");
            }
            if (token != null && token.isBlank()) throw new ConfigException("token", "the cluster token is blank", "give the cluster token, or none");
            for (String name : services.keySet()) {
                if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                    throw new ConfigException("services." + name, "invalid service name", "use letters, digits, '.', '_' or '-' (the type is java:<name>)");
                }
            }
            return new ClusterNode(this);
        }
    }
}
