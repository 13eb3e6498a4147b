package vigil.raft;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.ClusterUnavailableException;
import vigil.api.ConfigException;
import vigil.api.Subscription;
import vigil.api.model.Node;
import vigil.api.spi.PrivateFiles;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.engine.state.Command;
import vigil.raft.proto.QueryP;
import vigil.raft.proto.QueryReplyP;
import vigil.raft.tls.ClusterTrust;
import vigil.raft.tls.NodeTls;

/**
 * One member of a Vigil cluster: a Ratis server holding the replicated {@link ClusterState}, plus a client that
 * group-commits this node's submissions (forwarded to the leader when this node follows).
 *
 * <pre>{@code
 * VigilNode node = VigilNode.builder().id("n1").address("127.0.0.1:7001").peers(nodes)
 *         .dataDir(Path.of("/var/lib/vigil")).clusterName("prod").start();
 * }</pre>
 */
public final class VigilNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VigilNode.class);
    private static final String CLUSTER_ID_FILE = "cluster-id";
    /** The shortest wait before the first election of a replica of a new cluster (see the constructor). */
    private static final Duration FIRST_FRESH_ELECTION = Duration.ofSeconds(2);
    /** How long a restarted host of a two-node cluster waits before its first election. */
    private static final Duration FIRST_TWO_NODE_ELECTION = Duration.ofSeconds(10);

    private final String id;
    private final String clusterName;
    private final UUID clusterId;
    private final List<Node> bootstrapPeers;
    private final NodeTls tls;
    private final Parameters clientTls;
    private final ClusterTrust.Members members = new Members();
    private final RaftGroup group;
    private final RaftPeerId peerId;
    private final VigilStateMachine stateMachine;
    private final RaftServer server; // null when the replica could not start
    private final RaftClient client;
    private final RaftClient reader;
    private final ReplicaHealth health;
    private final Submitter submitter;
    private final Submitter controllerSubmitter;
    private final RaftMeters meters;
    private final ExecutorService events;
    private final Duration requestTimeout;
    private final CopyOnWriteArrayList<StateListener> stateListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<LeadershipListener> leadershipListeners = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile String leaderId = "";
    private volatile long term;
    /** While the replica is degraded: the leader's state, read every second ({@link #followLeader}). */
    private volatile FromLeader fromLeader;
    private volatile Thread follower;
    private volatile boolean replicaStopped;
    /** The last index of this replica's log when it started: what it appends beyond came from a leader since. */
    private final long lastIndexAtStart;
    private final Path dataDir;
    /** The node-timeout this replica's Raft timeouts were derived from. */
    private final Duration raftNodeTimeout;
    /** The two-node peer's fence that made this start the only voter, if it did (see {@link #startedAloneAfter()}). */
    private final FenceEvent startedAloneAfter;
    /** The cluster's node-timeout last written to the data dir ({@link LearnedNodeTimeout}). */
    private volatile Duration rememberedNodeTimeout;

    private VigilNode(Builder b) throws IOException {
        this.id = b.id;
        this.clusterName = b.clusterName;
        this.clusterId = b.clusterId != null ? b.clusterId : RaftSetup.clusterId(b.clusterName);
        this.peerId = RaftPeerId.valueOf(b.id);
        this.bootstrapPeers = b.peers;
        this.tls = b.tls;
        boolean fresh = claimDataDir(b.dataDir, b.clusterName, clusterId);
        this.dataDir = b.dataDir;
        // the cluster's committed node-timeout, as this node last saw it, wins over the builder's (a bootstrap file's
        // value, or the default on a joined node): the cluster may have changed it since
        this.rememberedNodeTimeout = LearnedNodeTimeout.read(b.dataDir).orElse(null);
        this.raftNodeTimeout = rememberedNodeTimeout != null ? rememberedNodeTimeout : b.nodeTimeout;
        if (rememberedNodeTimeout != null && !rememberedNodeTimeout.equals(b.nodeTimeout)) {
            LOG.info("{}: Raft timeouts follow the cluster's node-timeout {} (remembered in the data dir), not {}", b.id,
                    vigil.api.model.Durations.format(rememberedNodeTimeout), vigil.api.model.Durations.format(b.nodeTimeout));
        }
        // a host that joins a running cluster starts outside its initial configuration: it never campaigns, and votes
        // once a member added it (the leader catches it up first); a restart recovers the membership from the log
        this.group = RaftSetup.group(clusterId, b.peers);
        RaftGroup serverGroup = b.joining && fresh ? RaftGroup.valueOf(group.getGroupId()) : group;
        Parameters serverTls = RaftTls.parameters(b.tls, members, true);
        this.clientTls = RaftTls.parameters(b.tls, members, false);
        this.requestTimeout = b.requestTimeout;
        this.meters = new RaftMeters(b.registry, b.id);
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vigil-events-" + b.id);
            t.setDaemon(true);
            return t;
        });
        // with TLS only member nodes reach the Raft port (checked per call), so without a shared secret the seal is keyed
        // by the cluster id: it still names the sender the leader stamps, and nothing else passes as a submission
        SubmissionSeal seal = new SubmissionSeal(b.secret != null ? b.secret : "cluster " + clusterId);
        ClientId controllerClient = ClientId.randomId();
        String recovery = recovery(b.dataDir);
        this.stateMachine = new VigilStateMachine(b.id, meters, this::applied, this::leaderChanged, seal, controllerClient, b.dataDir, recovery, b.clusterTime);
        Path groupDir = b.dataDir.resolve("raft").resolve(group.getGroupId().getUuid().toString());
        this.health = new ReplicaHealth(b.id, this::divisionOrNull, () -> stateMachine, groupDir, recovery, this::healthChanged);

        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        HostPort hp = HostPort.parse("address", b.address);
        GrpcConfigKeys.Server.setHost(p, hp.host());
        GrpcConfigKeys.Server.setPort(p, hp.port());
        RaftServerConfigKeys.setStorageDir(p, List.of(b.dataDir.resolve("raft").toFile()));
        // elections: a lost leader is replaced well within one node-timeout, so the new controller can fence it as soon
        // as it has been silent for node-timeout and the survivors never go without a leader for that long. Ratis notices
        // a silent leader between one and two election timeouts after its last message, so the timeouts are 20-40 % of
        // node-timeout (at least 100-200 ms); shorter ones make leaders step down whenever their one surviving follower
        // pauses briefly (a fresh JVM, a loaded machine)
        long min = Math.max(100, raftNodeTimeout.toMillis() * 20 / 100);
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(min, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * min, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(Math.max(3000, 3 * raftNodeTimeout.toMillis()), TimeUnit.MILLISECONDS));
        Duration firstElection = null; // Ratis' default: the election timeout
        double firstElectionSpread = 1;
        if (fresh && !b.joining && b.peers.size() > 1 && !b.id.equals(firstCandidate(b.peers))) {
            // a new cluster's replicas start within moments of each other, and the first leader's messages reach the
            // others only after their TLS channels are up: a replica that campaigns meanwhile wins a second term with
            // another empty log and writes its own first entry. Ratis then failed to bring that replica back in line
            // (it answered every append with "inconsistent" for good, seen once in a chaos run), as Ratis users report
            // for elections racing at start. So in a new cluster one member campaigns at once and the others wait
            // 2-5 s before their first election (they vote meanwhile): no race, and no slower start.
            firstElection = FIRST_FRESH_ELECTION;
            firstElectionSpread = 5.0 / 2;
        } else if (!fresh && SingleVoter.twoNode(b.dataDir) && !SingleVoter.requested(b.dataDir)) {
            // a two-node host campaigns only after its peer had time to admit it (see SingleVoter.twoNode); not the one
            // that starts as the only voter
            firstElection = FIRST_TWO_NODE_ELECTION;
            firstElectionSpread = 5.0 / 4;
        }
        if (firstElection != null) {
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(firstElection.toMillis(), TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf((long) (firstElection.toMillis() * firstElectionSpread), TimeUnit.MILLISECONDS));
        }
        // a starved new leader that steps down would otherwise sit out 10 s
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p, TimeDuration.valueOf(Math.max(1000, raftNodeTimeout.toMillis()), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        // a leader retries a follower it cannot reach every heartbeat interval (node-timeout / 10), not with Ratis'
        // default backoff of 1 s and then 5 s: a restarted node would otherwise sit outside Raft for seconds while it
        // answers heartbeats, and the next failure would leave the leader without a working majority
        long retryMs = Math.max(20, raftNodeTimeout.toMillis() / 10);
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, "1ms,10, " + retryMs + "ms,100000000");
        // the commit index is recomputed from the log after a restart; writing it as metadata halves throughput here
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(b.segmentSize));
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, 1);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, b.snapshotThreshold);
        RaftServerConfigKeys.Snapshot.setCreationGap(p, 1);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.setCloseThreshold(p, TimeDuration.valueOf(5, TimeUnit.SECONDS));
        RaftServerConfigKeys.Write.setElementLimit(p, 8192);

        // damaged storage stops the replica with a reason (and the node reports itself degraded) instead of a Ratis loop
        StorageCheck.Result check = fresh ? new StorageCheck.Result(null, List.of()) : StorageCheck.run(groupDir, true, recovery);
        for (String repair : check.repairs()) LOG.warn("{}: {}", b.id, repair);
        RaftServer started = null;
        String startProblem = check.problem();
        FenceEvent peerFence = null;
        if (check.ok() && !fresh && SingleVoter.requested(b.dataDir)) {
            try {
                peerFence = SingleVoter.apply(b.dataDir, groupDir, b.id, check.lastIndex()).orElse(null);
            } catch (IOException e) {
                startProblem = "cannot make this node the only voter of its two-node cluster: " + e.getMessage() + "; " + recovery;
            }
        }
        if (startProblem == null) {
            requireFree(hp); // Ratis ends the whole JVM when it cannot bind its port: fail this start with the reason instead
            try {
                started = RaftServer.newBuilder().setServerId(peerId).setGroup(serverGroup).setProperties(p).setParameters(serverTls).setStateMachine(stateMachine)
                        .setOption(fresh ? RaftStorage.StartupOption.FORMAT : RaftStorage.StartupOption.RECOVER).build();
                started.start();
            } catch (IOException | RuntimeException e) {
                startProblem = "the Raft replica cannot start: " + rootMessage(e) + "; " + recovery;
                if (started != null) closeQuietly(started);
                started = null;
            }
        }
        this.server = started;
        this.lastIndexAtStart = started == null ? Long.MAX_VALUE : lastLogIndex(started);
        this.startedAloneAfter = started == null ? null : peerFence;
        this.client = RaftSetup.client(group, requestTimeout, clientTls);
        this.reader = RaftSetup.client(group, requestTimeout, 20, clientTls);
        this.submitter = new Submitter(b.id, Senders.client(() -> RaftSetup.client(group, requestTimeout, clientTls)), e -> seal.seal(b.id, e),
                b.maxBatch, b.maxInFlight, meters);
        this.controllerSubmitter = new Submitter(b.id + "-controller", server == null ? Senders.none(id + "'s Raft replica is not running")
                : Senders.leader(server, group.getGroupId(), peerId, controllerClient, requestTimeout), e -> seal.seal(b.id, e),
                b.maxBatch, b.maxInFlight, meters);
        if (startProblem != null) health.startFailed(startProblem);
        health.start();
        LOG.info("{}: started at {} in cluster {} (id {}), {} peers, data {}, {}{}", id, b.address, clusterName, clusterId, b.peers.size(),
                b.dataDir, b.tls == null ? "PLAINTEXT (insecure)" : "mutual TLS as " + b.tls.identity(),
                startProblem == null ? "" : " - DEGRADED: " + startProblem);
    }

    /** What the operator does about damaged storage. */
    static String recovery(Path dataDir) {
        return "to recover, stop this node, delete its data directory " + dataDir
                + " and start it again: it copies the cluster state from the other members";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t == e || t.getMessage() == null ? String.valueOf(e.getMessage()) : t.getMessage();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close: {}", e.toString());
        }
    }

    /**
     * Records the cluster's id in the data dir on first use and refuses a data dir that holds another cluster.
     * Returns whether the Raft storage is new.
     */
    private static boolean claimDataDir(Path dataDir, String clusterName, UUID wanted) throws IOException {
        if (Files.isDirectory(dataDir) && PrivateFiles.openToOthers(dataDir)) {
            // the snapshots in it hold fence device passwords
            LOG.warn("data dir {} was open to other users; made it owner-only (0700)", dataDir);
            Files.setPosixFilePermissions(dataDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        PrivateFiles.createDirectories(dataDir.resolve("raft"));
        Path marker = dataDir.resolve(CLUSTER_ID_FILE);
        if (Files.exists(marker)) {
            Properties props = new Properties();
            try (var in = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
                props.load(in);
            }
            String haveId = props.getProperty("id", "");
            if (!haveId.equals(wanted.toString())) {
                throw new ConfigException("dataDir", "data dir " + dataDir + " belongs to cluster \"" + props.getProperty("name", "?") + "\" (id "
                        + haveId + "), not to cluster \"" + clusterName + "\" (id " + wanted + ")",
                        "start this node with the cluster id in that file, or give it an empty data dir");
            }
        } else {
            Properties props = new Properties();
            props.setProperty("name", clusterName);
            props.setProperty("id", wanted.toString());
            java.io.StringWriter text = new java.io.StringWriter();
            props.store(text, "Vigil cluster of this data dir; a node refuses to start here for any other cluster");
            PrivateFiles.writeString(marker, text.toString());
        }
        return !Files.isDirectory(dataDir.resolve("raft").resolve(wanted.toString()));
    }

    /** The member of a new cluster that campaigns first: the one with the smallest id (every replica agrees on it). */
    private static String firstCandidate(List<Node> peers) {
        return peers.stream().filter(n -> n.role() != vigil.api.model.NodeRole.WITNESS).map(Node::id).min(String::compareTo).orElse("");
    }

    public static Builder builder() { return new Builder(); }

    public String id() { return id; }

    public String clusterName() { return clusterName; }

    /** The cluster's id, which is also its Raft group id. */
    public UUID clusterId() { return clusterId; }

    /** This node's TLS identity; null when it runs in plaintext (the insecure lab switch). */
    public NodeTls tls() { return tls; }

    /** Who this node accepts as a cluster node now (see {@link Members}). */
    public ClusterTrust.Members trustedMembers() { return members; }

    /**
     * The membership one node knows: the nodes of the replicated configuration and of the Raft configuration (voters
     * and listeners being admitted); while this node has not applied any configuration yet (a fresh member catching
     * up), the peers it was started with.
     */
    private final class Members implements ClusterTrust.Members {
        @Override
        public boolean isMember(String nodeId) {
            var config = stateMachine == null ? null : stateMachine.state().config();
            if (config != null && config.node(nodeId).isPresent()) return true;
            for (RaftPeer p : raftPeers()) if (p.getId().toString().equals(nodeId)) return true;
            return (config == null || config.nodes().isEmpty()) && bootstrapPeers.stream().anyMatch(n -> n.id().equals(nodeId));
        }

        @Override
        public java.util.Optional<String> nodeAt(String host, int port) {
            String hp = host + ":" + port;
            var config = stateMachine == null ? null : stateMachine.state().config();
            if (config != null) {
                for (Node n : config.nodes()) if (n.address().equals(hp) || hp.equals(n.attributes().get("api-address"))) return java.util.Optional.of(n.id());
            }
            for (RaftPeer p : raftPeers()) if (hp.equals(p.getAddress())) return java.util.Optional.of(p.getId().toString());
            for (Node n : bootstrapPeers) if (n.address().equals(hp)) return java.util.Optional.of(n.id());
            return java.util.Optional.empty();
        }

        private java.util.Collection<RaftPeer> raftPeers() {
            RaftServer s = server;
            if (s == null) return List.of();
            try {
                return s.getDivision(group.getGroupId()).getRaftConf().getAllPeers();
            } catch (IOException | RuntimeException e) {
                return List.of();
            }
        }
    }

    /**
     * Commits {@code commands} (one log entry, possibly shared with concurrent submissions) and returns each command's
     * result: applied, or rejected with the validation error (a rejected command changed nothing). Fails with
     * {@link ClusterUnavailableException} when no leader could commit it in time.
     */
    public CompletableFuture<List<CommandResult>> submit(List<Command> commands) { return submitter.submit(commands); }

    /**
     * Commits {@code commands} as this node's controller: straight into this node's Raft server, so it works only
     * while this node leads, and only such entries may carry controller commands (fence results, membership, leader
     * announcements, pending operations; see {@code CommandAuthority}).
     */
    public CompletableFuture<List<CommandResult>> submitAsController(List<Command> commands) { return controllerSubmitter.submit(commands); }

    /**
     * The state this node has applied (may lag the leader); while its replica is degraded, the state it last read
     * from the leader.
     */
    public ClusterState state() {
        FromLeader remote = fromLeader;
        return remote != null ? remote.state() : stateMachine.state();
    }

    /** The log index of {@link #state()}. */
    public long appliedIndex() {
        FromLeader remote = fromLeader;
        return remote != null ? remote.index() : stateMachine.appliedIndex();
    }

    /** The leader's applied state and its log index, as a degraded node last read them. */
    private record FromLeader(long index, ClusterState state) {}

    /**
     * Empty while this node's Raft replica keeps up; else why it does not (damaged storage, a full disk, a log it
     * cannot apply) and what to do. A degraded node keeps serving reads from the leader and submitting through it.
     */
    public String problem() { return health.problem(); }

    /** A state at least as new as every change committed before this call (Raft read index). */
    public ClusterState readLinearizable() {
        // a degraded replica, or a listener (a host that joined and is catching up), cannot serve a read index
        if (!health.problem().isEmpty() || !isVoterQuietly()) return LogCodec.state(readLeader().getState());
        Message q = Message.valueOf(ByteString.copyFrom(QueryP.newBuilder().build().toByteArray()));
        try {
            // blocking API: reads never share the ordered request window of writes
            RaftClientReply r = client.io().sendReadOnly(q, peerId);
            if (!r.isSuccess()) throw new ClusterUnavailableException(id + ": linearizable read failed: " + r.getException());
            return stateMachine.state();
        } catch (IOException e) {
            throw new ClusterUnavailableException(id + ": linearizable read failed (no leader reachable?): " + e, e);
        }
    }

    /**
     * As {@link #readLinearizable()}, waiting at most {@code timeout}; then fails with {@link ClusterUnavailableException}
     * (no leader could confirm it in time).
     */
    public ClusterState readLinearizable(Duration timeout) {
        // a degraded replica, or a listener, reads the leader's state (as above)
        boolean voter = health.problem().isEmpty() && isVoterQuietly();
        Message q = Message.valueOf(ByteString.copyFrom(QueryP.newBuilder().setFullState(!voter).build().toByteArray()));
        try {
            RaftClientReply r = (voter ? client.async().sendReadOnly(q, peerId) : client.async().sendReadOnly(q))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!r.isSuccess()) throw new ClusterUnavailableException(id + ": linearizable read failed: " + r.getException());
            return voter ? stateMachine.state() : fullState(r);
        } catch (TimeoutException e) {
            throw new ClusterUnavailableException(id + ": no leader confirmed a read within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new ClusterUnavailableException(id + ": linearizable read failed (no leader reachable?): " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterUnavailableException(id + ": interrupted while reading", e);
        } catch (IOException e) {
            throw new ClusterUnavailableException(id + ": read from the leader failed: " + e, e);
        }
    }

    private static void requireFree(HostPort address) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(address.host(), address.port()));
        } catch (IOException e) {
            throw new ConfigException("address", "cannot listen on " + address.host() + ":" + address.port() + " (" + e.getMessage() + ")",
                    "stop what holds that port (another Vigil node on this host?) or give this node another address");
        }
    }

    private boolean isVoterQuietly() {
        try {
            return isVoter();
        } catch (ClusterUnavailableException e) {
            return true;
        }
    }

    private static ClusterState fullState(RaftClientReply r) throws IOException {
        return LogCodec.state(QueryReplyP.parseFrom(r.getMessage().getContent().toByteArray()).getState());
    }

    public Subscription onState(StateListener l) {
        stateListeners.add(Objects.requireNonNull(l));
        return () -> stateListeners.remove(l);
    }

    public Subscription onLeadership(LeadershipListener l) {
        leadershipListeners.add(Objects.requireNonNull(l));
        return () -> leadershipListeners.remove(l);
    }

    /**
     * The fence of its two-node peer, confirmed before this start, that made this replica start as the only voter
     * ({@link SingleVoter}); empty for any other start. Nothing could commit it then: the pair had no majority without
     * the peer.
     */
    public Optional<FenceEvent> startedAloneAfter() { return Optional.ofNullable(startedAloneAfter); }

    public boolean isLeader() { return id.equals(leaderId); }

    /** The current leader's id, empty while none is known. */
    public String leaderId() { return leaderId; }

    public long term() { return term; }

    /** Whether this node votes in the current Raft configuration (a joining node waits until it is added). */
    public boolean isVoter() { return isVoter(id); }

    /** Whether {@code nodeId} votes in the Raft configuration this node knows. */
    public boolean isVoter(String nodeId) {
        return division().getRaftConf().getCurrentPeers().stream().anyMatch(p -> p.getId().toString().equals(nodeId));
    }

    /** The non-voting listeners of the current Raft configuration (hosts that are catching up before they vote). */
    public List<String> listeners() {
        List<String> out = new ArrayList<>();
        for (RaftPeer p : division().getRaftConf().getCurrentPeers(org.apache.ratis.proto.RaftProtos.RaftPeerRole.LISTENER)) out.add(p.getId().toString());
        out.sort(null);
        return out;
    }

    /**
     * The ids of the voters of this node's current Raft configuration once this node knows it committed (empty before,
     * and while the replica is not running): a host that comes back finds its old configuration in its log, which the
     * cluster may have left since, and learns the current one only as the leader brings it up to date.
     */
    public List<String> committedVoters() {
        RaftServer.Division d = divisionOrNull();
        if (d == null) return List.of();
        var conf = d.getRaftConf();
        if (conf.getLogEntryIndex() > d.getRaftLog().getLastCommittedIndex()) return List.of();
        List<String> out = new ArrayList<>();
        for (RaftPeer p : conf.getCurrentPeers()) out.add(p.getId().toString());
        out.sort(null);
        return out;
    }

    /**
     * Whether this replica applied an entry that a leader appended after this replica started. Its own log proves
     * nothing: after a restart it replays entries of the term it last knew, which may be the current term of its own
     * storage while its peer has since gone on without it (then only its admission brings new entries).
     */
    public boolean appliedSinceStart() {
        RaftServer.Division d = divisionOrNull();
        if (d == null) return false;
        org.apache.ratis.server.protocol.TermIndex last = d.getStateMachine().getLastAppliedTermIndex();
        return last != null && last.getIndex() > lastIndexAtStart;
    }

    private long lastLogIndex(RaftServer s) {
        try {
            return s.getDivision(group.getGroupId()).getRaftLog().getNextIndex() - 1;
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE; // never "applied since start": the stricter answer
        }
    }

    /**
     * Stops this node's Raft replica until the node starts again: it no longer leads, appends, answers or votes, and
     * {@link #state()} keeps what it applied last. A two-node host does this before it fences its peer: once the fence
     * is under way, no incarnation of the peer that boots after it may hear this replica and take it for a partner
     * (then go on alone from a log that misses what this host commits alone). Closes the replica (Ratis' division),
     * not the server: that is quick (about a second), where closing the server waits for its calls to end, also those to
     * a peer behind a cut link, for many seconds of a fence race. The server closes with the node.
     */
    public void stopReplica(String why) {
        RaftServer.Division d;
        synchronized (this) {
            if (server == null || replicaStopped || closed.get()) return;
            replicaStopped = true;
            health.closing();
            d = divisionOrNull();
        }
        LOG.warn("{}: stopping the Raft replica: {}", id, why);
        long start = System.nanoTime();
        if (d != null) d.close();
        LOG.info("{}: Raft replica stopped in {} ms", id, (System.nanoTime() - start) / 1_000_000);
        leadershipChanged("", term);
    }

    /** Whether this node's Raft replica runs (it may have failed to start, or Ratis may have shut it down). */
    public boolean replicaRunning() {
        RaftServer.Division d = divisionOrNull();
        return d != null && d.getInfo().isAlive();
    }

    /** The voting members of the current Raft configuration, as {@code id -> address}. */
    public List<String> members() {
        List<String> out = new ArrayList<>();
        for (RaftPeer p : division().getRaftConf().getCurrentPeers()) out.add(p.getId() + "=" + p.getAddress());
        out.sort(null);
        return out;
    }

    /**
     * Adds a voting member (a witness too: it votes, its config role keeps resources off it): first to the replicated
     * config (the membership every node's TLS checks), then to the Raft group. Ratis stages a new voter: the leader
     * brings it up to date (log or snapshot) before the configuration that counts its vote is committed, so the
     * cluster never waits on a member that is behind. (Ratis 3.3 also has non-voting listeners, but turning a
     * listener into a voter can deadlock the new member, so a joining host is staged directly.) Start the new node
     * first; blocks until it votes, and fails if it does not catch up.
     */
    public void addMember(Node node) {
        if (isVoter(node.id())) throw new ConfigException("nodes." + node.id(), "already a member", "remove it first to change its address");
        HostPort.parse("nodes." + node.id() + ".address", node.address());
        if (readLinearizable().config().node(node.id()).isEmpty()) {
            try {
                submit(List.of(new Command.PutNode(node))).get(requestTimeout.toMillis() * 6, TimeUnit.MILLISECONDS).get(0).orThrow();
            } catch (ExecutionException | TimeoutException e) {
                throw new ClusterUnavailableException(id + ": cannot add " + node.id() + " to the config: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterUnavailableException("interrupted", e);
            }
        }
        reconfigure("add " + node.id() + " (caught up first)", conf -> {
            if (conf.isVoter(node.id())) return null; // admitted meanwhile (an earlier request whose answer was lost)
            List<RaftPeer> voters = new ArrayList<>(conf.voters());
            voters.add(RaftSetup.peer(node));
            return new RaftConf(voters, conf.listeners().stream().filter(p -> !p.getId().toString().equals(node.id())).toList());
        });
    }

    /**
     * Hands Raft leadership to {@code target} (the controller must never fence its own node: it steps down so that a
     * survivor fences it). While a transfer is pending Ratis refuses writes, so pick a peer that is alive.
     */
    public void transferLeadership(String target, Duration timeout) {
        try {
            RaftClientReply r = client.admin().transferLeadership(RaftPeerId.valueOf(target), timeout.toMillis());
            if (!r.isSuccess()) {
                // e.g. a witness while a member exists (RaftSetup.peer): this node leads on until a member can take over
                LOG.warn("{}: leadership transfer to {} refused: {}", id, target, r.getException() == null ? "no reason given" : r.getException().getMessage());
            }
        } catch (IOException e) {
            LOG.warn("{}: leadership transfer to {} failed: {}", id, target, e.getMessage());
        }
    }

    /** Removes a voting member or listener; the rest must still form a majority. */
    public void removeMember(String nodeId) {
        RaftConf known = RaftConf.of(division().getRaftConf());
        if (!known.isVoter(nodeId) && !known.isListener(nodeId)) {
            throw new ConfigException("nodes." + nodeId, "not a member of the Raft group", "list members to see their ids");
        }
        reconfigure("remove " + nodeId, conf -> {
            if (!conf.isVoter(nodeId) && !conf.isListener(nodeId)) return null; // removed meanwhile
            return new RaftConf(conf.voters().stream().filter(p -> !p.getId().toString().equals(nodeId)).toList(),
                    conf.listeners().stream().filter(p -> !p.getId().toString().equals(nodeId)).toList());
        });
    }

    /** The voters and listeners of one Raft configuration. */
    private record RaftConf(List<RaftPeer> voters, List<RaftPeer> listeners) {
        static RaftConf of(org.apache.ratis.server.RaftConfiguration c) {
            return new RaftConf(List.copyOf(c.getCurrentPeers()), List.copyOf(c.getCurrentPeers(org.apache.ratis.proto.RaftProtos.RaftPeerRole.LISTENER)));
        }

        boolean isVoter(String nodeId) { return voters.stream().anyMatch(p -> p.getId().toString().equals(nodeId)); }

        boolean isListener(String nodeId) { return listeners.stream().anyMatch(p -> p.getId().toString().equals(nodeId)); }
    }

    /**
     * Changes the Raft configuration from the one this node knows to {@code change(known)} (null: nothing to do any more).
     * The leader applies it only while its configuration is still the known one (compare-and-set): the Raft client resends
     * a change the leader refused because another one was in progress, and a change computed before that other one
     * finished would otherwise undo it (two hosts admitted at once: the second admission dropped the first new voter, or
     * was refused as replacing a majority). When the configuration moved meanwhile, the change is computed again.
     */
    private void reconfigure(String what, java.util.function.UnaryOperator<RaftConf> change) {
        long end = System.nanoTime() + requestTimeout.toNanos() * 6;
        while (true) {
            RaftConf known = RaftConf.of(division().getRaftConf());
            RaftConf next = change.apply(known);
            if (next == null) return;
            Exception refused;
            try {
                RaftClientReply r = client.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                        .setServersInCurrentConf(known.voters()).setListenersInCurrentConf(known.listeners())
                        .setServersInNewConf(next.voters()).setListenersInNewConf(next.listeners()).build());
                if (r.isSuccess()) {
                    LOG.info("{}: membership changed ({}), now {} voters", id, what, next.voters().size());
                    return;
                }
                refused = r.getException();
            } catch (IOException e) {
                refused = e;
            }
            if (RaftConf.of(division().getRaftConf()).equals(known) || System.nanoTime() > end) {
                throw new ClusterUnavailableException(id + ": cannot " + what + ": " + refused, refused);
            }
            LOG.info("{}: the Raft configuration changed while trying to {}; trying again from the new one", id, what);
        }
    }

    /** Writes a snapshot of this node's state now (normally taken automatically every snapshot-threshold entries). */
    public long takeSnapshot() {
        try {
            RaftClientReply r = client.getSnapshotManagementApi(peerId).create(requestTimeout.toMillis());
            if (!r.isSuccess()) throw new ClusterUnavailableException(id + ": snapshot failed: " + r.getException());
            return r.getLogIndex();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RaftServer.Division division() {
        if (server == null) throw new ClusterUnavailableException(id + ": the Raft replica is not running: " + health.problem());
        try {
            return server.getDivision(group.getGroupId());
        } catch (IOException e) {
            throw new ClusterUnavailableException(id + ": the Raft server is not running: " + e, e);
        }
    }

    private RaftServer.Division divisionOrNull() {
        try {
            return server == null ? null : server.getDivision(group.getGroupId());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The leader's whole state after a read index there. */
    private QueryReplyP readLeader() {
        Message q = Message.valueOf(ByteString.copyFrom(QueryP.newBuilder().setFullState(true).build().toByteArray()));
        try {
            RaftClientReply r = reader.io().sendReadOnly(q);
            if (!r.isSuccess()) throw new ClusterUnavailableException(id + ": read from the leader failed: " + r.getException());
            return QueryReplyP.parseFrom(r.getMessage().getContent().toByteArray());
        } catch (IOException e) {
            throw new ClusterUnavailableException(id + ": read from the leader failed (no leader reachable?): " + e, e);
        }
    }

    /**
     * The replica became degraded (or healthy again). Degraded, it follows the leader's state instead of its own and
     * hands leadership to another member: its controller would act on a state that no longer moves.
     */
    private synchronized void healthChanged(String problem) {
        if (problem.isEmpty()) {
            Thread t = follower;
            follower = null;
            fromLeader = null;
            if (t != null) t.interrupt();
            return;
        }
        if (health.fatal() && server != null && !replicaStopped) {
            // it cannot get over this while the process runs: stop serving Raft, so that the leader stops feeding it
            // (a full disk otherwise makes it refuse a snapshot install many times a second) and it is never elected
            replicaStopped = true;
            health.closing();
            Thread stop = new Thread(() -> {
                if (isLeader()) stepDown();
                try {
                    server.close();
                    LOG.error("{}: Raft replica stopped; the node follows the state of the leader until it is repaired and restarted", id);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("{}: stopping the Raft replica failed: {}", id, e.toString());
                }
            }, "vigil-stop-replica-" + id);
            stop.setDaemon(true);
            stop.start();
        }
        if (follower == null && !closed.get()) {
            Thread t = new Thread(this::followLeader, "vigil-follow-leader-" + id);
            t.setDaemon(true);
            follower = t;
            t.start();
        }
    }

    private void followLeader() {
        while (follower == Thread.currentThread() && !closed.get()) {
            try {
                if (isLeader()) stepDown();
                QueryReplyP r = readLeader();
                FromLeader before = fromLeader;
                if (before == null || before.index() != r.getAppliedIndex()) {
                    FromLeader now = new FromLeader(r.getAppliedIndex(), LogCodec.state(r.getState()));
                    fromLeader = now;
                    applied(now.index(), now.state());
                }
                if (!r.getLeaderId().equals(leaderId) || r.getTerm() != term) leadershipChanged(r.getLeaderId(), r.getTerm());
            } catch (RuntimeException e) {
                LOG.debug("{}: degraded, and the leader's state cannot be read: {}", id, e.getMessage());
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Hands leadership to the first other member that takes it. */
    private void stepDown() {
        for (RaftPeer p : group.getPeers()) {
            if (p.getId().equals(peerId)) continue;
            try {
                RaftClientReply r = client.admin().transferLeadership(p.getId(), 2000);
                if (r.isSuccess()) {
                    LOG.warn("{}: degraded; handed leadership to {}", id, p.getId());
                    return;
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("{}: leadership transfer to {} failed: {}", id, p.getId(), e.getMessage());
            }
        }
    }

    private void applied(long index, ClusterState s) {
        if (s.configVersion() > 0) rememberNodeTimeout(s.config().properties().nodeTimeout()); // not the defaults of a never-configured cluster
        if (stateListeners.isEmpty()) return;
        events.execute(() -> {
            for (StateListener l : stateListeners) {
                try {
                    l.applied(index, s);
                } catch (RuntimeException e) {
                    LOG.warn("{}: state listener failed at index {}", id, index, e);
                }
            }
        });
    }

    private void rememberNodeTimeout(Duration committed) {
        if (committed == null || committed.equals(rememberedNodeTimeout)) return;
        rememberedNodeTimeout = committed;
        events.execute(() -> {
            try {
                LearnedNodeTimeout.write(dataDir, committed);
                if (!committed.equals(raftNodeTimeout)) {
                    LOG.info("{}: the cluster's node-timeout is {}; this node's Raft election timeouts (from {}) follow it when it restarts", id,
                            vigil.api.model.Durations.format(committed), vigil.api.model.Durations.format(raftNodeTimeout));
                }
            } catch (java.io.IOException e) {
                LOG.warn("{}: cannot remember node-timeout {} in {}: {}", id, committed, dataDir, e.getMessage());
            }
        });
    }

    /** The node-timeout this replica's Raft election timeouts were derived from when it started. */
    public Duration raftNodeTimeout() { return raftNodeTimeout; }

    private void leaderChanged(RaftPeerId leader) {
        long t;
        try {
            // through the state machine: a one-node cluster elects itself inside the server's start, before this.server
            // is set, and its controller would announce itself for term 0, refused by every replica for ever
            t = stateMachine.currentTerm();
        } catch (RuntimeException e) {
            t = term;
        }
        leadershipChanged(leader == null ? "" : leader.toString(), t);
    }

    private void leadershipChanged(String leader, long t) {
        events.execute(() -> {
            leaderId = leader;
            term = t;
            meters.leaderChanged(t);
            boolean me = isLeader();
            LOG.info("{}: leader is now {} (term {})", id, leaderId.isEmpty() ? "unknown" : leaderId, t);
            for (LeadershipListener l : leadershipListeners) {
                try {
                    l.leadershipChanged(me, leaderId, t);
                } catch (RuntimeException e) {
                    LOG.warn("{}: leadership listener failed", id, e);
                }
            }
        });
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        health.close();
        Thread t = follower;
        if (t != null) t.interrupt();
        submitter.close();
        controllerSubmitter.close();
        closeQuietly(client);
        closeQuietly(reader);
        if (server != null) closeServer();
        events.shutdown();
        try {
            events.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("{}: stopped", id);
    }

    /**
     * Closes the Ratis server, waiting at most {@link #SERVER_CLOSE_WAIT}: its close was seen to hang once on a busy
     * machine (a witness asked to stop), and a node whose close never returns never reports itself stopped, so its
     * daemon would never exit. Where the close stood is logged for the next reader.
     */
    private void closeServer() {
        Thread closer = new Thread(() -> {
            try {
                server.close();
            } catch (IOException e) {
                LOG.warn("{}: server close failed: {}", id, e.toString());
            }
        }, "vigil-" + id + "-raft-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(SERVER_CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            StringBuilder where = new StringBuilder();
            for (StackTraceElement f : closer.getStackTrace()) where.append("\n\tat ").append(f);
            LOG.warn("{}: the Raft server did not close within {} s; going on without it. Its close stood at:{}", id, SERVER_CLOSE_WAIT.toSeconds(), where);
        }
    }

    private static final Duration SERVER_CLOSE_WAIT = Duration.ofSeconds(15);

    /** Validating builder; {@link #start()} checks every field and names the wrong one. */
    public static final class Builder {
        private String id;
        private String address;
        private List<Node> peers = List.of();
        private Path dataDir;
        private String clusterName;
        private String secret;
        private MeterRegistry registry = new SimpleMeterRegistry();
        private Duration nodeTimeout = Duration.ofSeconds(1);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private long snapshotThreshold = 10_000;
        private long segmentSize = 8L << 20;
        private int maxBatch = 2_000;
        private int maxInFlight = 2;
        private Supplier<Optional<Instant>> clusterTime;
        private UUID clusterId;
        private NodeTls tls;
        private boolean insecure;
        private boolean joining;

        private Builder() {}

        /** The cluster's id (its Raft group id), random per cluster; default: derived from the cluster name. */
        public Builder clusterId(UUID v) { clusterId = v; return this; }
        /** Mutual TLS with this node's certificate: required unless {@link #insecure()}. */
        public Builder tls(NodeTls v) { tls = v; return this; }
        /** Plaintext Raft traffic that anyone on the network can read and forge: for a lab only. */
        public Builder insecure() { insecure = true; return this; }
        /** This node joins a running cluster: on an empty data dir it waits, outside the group, until a member adds it. */
        public Builder joining(boolean v) { joining = v; return this; }

        public Builder id(String v) { id = v; return this; }
        /** This node's Raft address, {@code host:port}. */
        public Builder address(String v) { address = v; return this; }
        /** Every voting member (this node included; witnesses too). */
        public Builder peers(List<Node> v) { peers = v == null ? List.of() : List.copyOf(v); return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder clusterName(String v) { clusterName = v; return this; }
        /**
         * The secret every member of the cluster holds (the cluster token): what a node submits is sealed with a key
         * derived from it, and the leader appends nothing that is not. Required for an insecure node; with TLS only
         * member nodes can reach the Raft port, and without a secret the seal is keyed by the cluster id.
         */
        public Builder secret(String v) { secret = v; return this; }
        public Builder meterRegistry(MeterRegistry v) { registry = v; return this; }
        /** The cluster's node-timeout: Raft election timeouts are derived from it. */
        public Builder nodeTimeout(Duration v) { nodeTimeout = v; return this; }
        /** How long one Raft request may take before it is retried. */
        public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
        /** Log entries between automatic snapshots (after which the log up to the snapshot is purged). */
        public Builder snapshotThreshold(long entries) { snapshotThreshold = entries; return this; }
        /** Maximum size of one Raft log segment file, in bytes (only closed segments can be purged). */
        public Builder logSegmentSize(long bytes) { segmentSize = bytes; return this; }
        /** Most commands in one log entry. */
        public Builder maxBatch(int v) { maxBatch = v; return this; }
        /** Log entries this node's submitter keeps in flight at once. */
        public Builder maxInFlight(int v) { maxInFlight = v; return this; }
        /**
         * While this node leads, the cluster time it stamps on every entry it accepts (the only time apply sees; empty:
         * none, the state's time stays). {@code ClusterNode} gives the controller's; without it the leader's own clock.
         */
        public Builder clusterTime(Supplier<Optional<Instant>> v) { clusterTime = v; return this; }

        /** The leader stamps entries with {@code v}'s reading (a Raft group without a controller). */
        public Builder clock(InstantSource v) { Objects.requireNonNull(v, "clock"); clusterTime = () -> Optional.of(v.instant()); return this; }

        public VigilNode start() {
            validate();
            try {
                return new VigilNode(this);
            } catch (IOException e) {
                throw new UncheckedIOException(id + ": cannot start the Raft server: " + e.getMessage(), e);
            }
        }

        private void validate() {
            if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new ConfigException("id", "node id is " + (id == null ? "missing" : "invalid: \"" + id + "\""),
                        "call id(...) with letters, digits, '.', '_' or '-'");
            }
            if (clusterName == null || !clusterName.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new ConfigException("clusterName", "cluster name is " + (clusterName == null ? "missing" : "invalid: \"" + clusterName + "\""),
                        "call clusterName(...) with letters, digits, '.', '_' or '-'");
            }
            if (secret != null && secret.isBlank()) throw new ConfigException("secret", "the cluster secret is blank", "give the token every node of this cluster shares, or none");
            if (secret == null && tls == null) {
                throw new ConfigException("secret", "the cluster secret is missing", "call secret(...) with the token every node of this cluster shares");
            }
            if (address == null) throw new ConfigException("address", "address is missing", "call address(\"host:port\")");
            HostPort.parse("address", address);
            if (dataDir == null) throw new ConfigException("dataDir", "data dir is missing", "call dataDir(path) with a directory only this node uses");
            if (peers.isEmpty()) throw new ConfigException("peers", "peer list is empty", "list every voting member, this node included");
            java.util.Set<String> seen = new java.util.HashSet<>();
            boolean self = false;
            for (Node n : peers) {
                if (!seen.add(n.id())) throw new ConfigException("peers." + n.id(), "duplicate peer id", "list each member once");
                HostPort.parse("peers." + n.id() + ".address", n.address());
                if (n.id().equals(id)) {
                    self = true;
                    if (!n.address().equals(address)) {
                        throw new ConfigException("peers." + id + ".address", "this node's peer entry says " + n.address() + " but address(...) is " + address,
                                "give the same host:port in both");
                    }
                }
            }
            if (!self) throw new ConfigException("peers", "this node (" + id + ") is not in the peer list " + seen, "add it to peers(...)");
            if (nodeTimeout == null || nodeTimeout.toMillis() < 100) {
                throw new ConfigException("nodeTimeout", "must be at least 100ms, got " + nodeTimeout, "use e.g. 1s");
            }
            if (requestTimeout == null || requestTimeout.toMillis() < 100) {
                throw new ConfigException("requestTimeout", "must be at least 100ms, got " + requestTimeout, "use e.g. 5s");
            }
            if (snapshotThreshold < 1) throw new ConfigException("snapshotThreshold", "must be >= 1, got " + snapshotThreshold, "use e.g. 10000");
            if (segmentSize < 1024) throw new ConfigException("logSegmentSize", "must be >= 1024 bytes, got " + segmentSize, "use e.g. 8 MiB");
            if (maxBatch < 1) throw new ConfigException("maxBatch", "must be >= 1, got " + maxBatch, "use e.g. 2000");
            if (maxInFlight < 1) throw new ConfigException("maxInFlight", "must be >= 1, got " + maxInFlight, "use e.g. 2");
            if (tls == null && !insecure) {
                throw new ConfigException("tls", "no TLS identity given", "call tls(NodeTls.load(pkiDir)) with this node's certificate, or insecure() for a lab");
            }
            if (tls != null && !tls.identity().equals(vigil.raft.tls.PeerIdentity.node(id))) {
                throw new ConfigException("tls", "the certificate is for " + tls.identity() + ", not for node " + id, "give this node its own certificate");
            }
            Objects.requireNonNull(registry, "meterRegistry");
            if (clusterTime == null) clock(InstantSource.system());
        }
    }
}
