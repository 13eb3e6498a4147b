package vigil.raft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import com.google.protobuf.InvalidProtocolBufferException;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.ConfigException;
import vigil.api.spi.PrivateFiles;
import vigil.api.status.ClusterState;
import vigil.engine.state.Command;
import vigil.engine.state.CommandAuthority;
import vigil.engine.state.StateTransitions;
import vigil.raft.proto.ApplyReplyP;
import vigil.raft.proto.CommandResultP;
import vigil.raft.proto.QueryP;
import vigil.raft.proto.QueryReplyP;

/**
 * Applies committed log entries to the immutable {@link ClusterState}. Each command of an entry is applied on its own:
 * a rejected one leaves the state as it was and the others still apply. Apply is deterministic: the only time is the
 * cluster time the leader stamped on the entry. Snapshots are the protobuf encoding of the whole state, written atomically.
 */
final class VigilStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(VigilStateMachine.class);
    private static final SnapshotRetentionPolicy KEEP_TWO = new SnapshotRetentionPolicy() {
        @Override
        public int getNumSnapshotsRetained() { return 2; }
    };

    private final String node;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final RaftMeters meters;
    private final BiConsumer<Long, ClusterState> onApplied;
    private final LeaderCallback onLeader;
    private final SubmissionSeal seal;
    private final ClientId controllerClient;
    private final Set<String> refusedSources = ConcurrentHashMap.newKeySet();
    private final Path dataDir;
    private final String recovery;
    private final Supplier<Optional<Instant>> clusterTime;
    private volatile ClusterState state = ClusterState.EMPTY;
    private volatile String failure;
    private volatile String snapshotFailure;
    /** The snapshot file last found intact, as path@mtime/size. */
    private volatile String verifiedSnapshot;

    interface LeaderCallback {
        void leaderChanged(RaftPeerId leader);
    }

    /**
     * @param seal             opens the submissions the leader appends
     * @param controllerClient the client id this node's controller submits with, inside this process only
     * @param clusterTime      the cluster time this node stamps on the entries it accepts while it leads (empty: none)
     */
    VigilStateMachine(String node, RaftMeters meters, BiConsumer<Long, ClusterState> onApplied, LeaderCallback onLeader, SubmissionSeal seal,
                      ClientId controllerClient, Path dataDir, String recovery, Supplier<Optional<Instant>> clusterTime) {
        this.node = node;
        this.dataDir = dataDir;
        this.recovery = recovery;
        this.meters = meters;
        this.onApplied = onApplied;
        this.onLeader = onLeader;
        this.seal = seal;
        this.controllerClient = controllerClient;
        this.clusterTime = clusterTime;
    }

    ClusterState state() { return state; }

    long appliedIndex() { return getLastAppliedTermIndex() == null ? -1 : getLastAppliedTermIndex().getIndex(); }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        getLifeCycle().startAndTransition(() -> {
            storage.init(raftStorage);
            load(storage.loadLatestSnapshot());
        });
    }

    /** Ratis pauses the state machine before it installs a snapshot from the leader (and then calls reinitialize). */
    @Override
    public synchronized void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** Why this replica cannot go on (a snapshot from the leader it cannot load, a log it cannot write), or null. */
    String failure() { return failure; }

    /** Why the last snapshot could not be written, or null (the replica goes on, but its log can no longer be purged). */
    String snapshotFailure() { return snapshotFailure; }

    @Override
    public synchronized void reinitialize() throws IOException {
        // called after a snapshot from the leader was installed
        SingleFileSnapshotInfo installed = storage.loadLatestSnapshot();
        LOG.info("{}: installed a snapshot from the leader at {}", node, installed == null ? "none" : installed.getTermIndex());
        try {
            load(installed);
        } catch (IOException | RuntimeException e) {
            failure = "the snapshot installed from the leader cannot be used: " + e.getMessage();
            throw e;
        }
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() { return storage; }

    /**
     * The snapshot Ratis sends to a follower that is too far behind. Checked first (once per file): a leader whose
     * own snapshot went bad on disk must not hand it on; it reports itself degraded, stops its replica, and another
     * member with an intact snapshot leads.
     */
    @Override
    public SingleFileSnapshotInfo getLatestSnapshot() {
        SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
        if (latest == null) return null;
        Path file = latest.getFile().getPath();
        try {
            String version = file + "@" + Files.getLastModifiedTime(file).toMillis() + "/" + Files.size(file);
            if (version.equals(verifiedSnapshot)) return latest;
            String problem = SnapshotFile.problem(Files.readAllBytes(file));
            if (problem != null) {
                failure = "snapshot " + file + " is corrupt (" + problem + "); " + recovery;
                return latest;
            }
            verifiedSnapshot = version;
        } catch (java.nio.file.NoSuchFileException gone) {
            // replaced meanwhile: a snapshot installed from the leader (or taken here) removes the older ones, also the
            // one this call had just looked up (seen in a chaos run: an admitted host counted that as damage and
            // stopped its replica for good). A file missing at start is StorageCheck's to find.
            SingleFileSnapshotInfo now = storage.getLatestSnapshot();
            return now != null && !now.getFile().getPath().equals(file) ? getLatestSnapshot() : now;
        } catch (IOException e) {
            failure = "snapshot " + file + " cannot be read (" + e.getMessage() + "); " + recovery;
        }
        return latest;
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) return;
        Path file = snapshot.getFile().getPath();
        byte[] bytes = SnapshotFile.read(file, recovery);
        if (snapshot.hasMd5()) {
            try {
                MD5FileUtil.verifySavedMD5(file.toFile(), snapshot.getFile().getFileDigest());
            } catch (IOException e) {
                throw new SnapshotFile.CorruptSnapshotException("snapshot " + file + " does not match its MD5 file (" + e.getMessage() + "); " + recovery);
            }
        }
        ClusterState loaded;
        try {
            loaded = LogCodec.decodeState(bytes);
        } catch (RuntimeException e) {
            throw new SnapshotFile.CorruptSnapshotException("snapshot " + file + " holds no valid state (" + e.getMessage() + "); " + recovery);
        }
        state = loaded;
        setLastAppliedTermIndex(snapshot.getTermIndex());
        LOG.info("{}: loaded snapshot {} (config version {})", node, snapshot.getTermIndex(), loaded.configVersion());
        onApplied.accept(snapshot.getIndex(), loaded);
    }

    /**
     * Runs on the leader for every write before it is appended: only a sealed, well-formed Vigil entry whose commands
     * its sender may issue gets into the log, stamped with that sender (see {@link CommandAuthority}). Anything else
     * is refused: the client gets the reason, nothing is appended.
     */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) {
        TransactionContext.Builder b = TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request)
                .setServerRole(RaftProtos.RaftPeerRole.LEADER);
        boolean controller = request.getClientId().equals(controllerClient);
        String source = controller ? "this node's controller" : "client " + request.getClientId();
        try {
            SubmissionSeal.Opened opened = seal.open(request.getMessage().getContent().toByteArray());
            source = "\"" + SubmissionSeal.printable(opened.origin()) + "\" (" + source + ")";
            if (controller && !opened.origin().equals(node)) throw new IllegalArgumentException("the controller's entry names " + opened.origin());
            LogCodec.Entry entry = LogCodec.decodeSubmitted(opened.entry());
            CommandAuthority.Origin origin = new CommandAuthority.Origin(opened.origin(), controller, currentTerm());
            for (Command c : entry.commands()) {
                Optional<String> refusal = CommandAuthority.refusalAtLeader(c, origin);
                if (refusal.isPresent()) throw new IllegalArgumentException(refusal.get());
            }
            // every replica applies the same bytes: the time each applies is the leader's cluster time, never the submitter's
            byte[] stamped = LogCodec.stamp(opened.entry(), clusterTime.get().orElse(null));
            return b.setLogData(ByteString.copyFrom(LogCodec.withOrigin(stamped, opened.origin(), controller))).build();
        } catch (SubmissionSeal.NotSealed | IOException | RuntimeException e) {
            String why = e instanceof SubmissionSeal.NotSealed || e instanceof IllegalArgumentException || e instanceof ConfigException
                    ? SubmissionSeal.printable(e.getMessage(), 300) : "not a well-formed Vigil entry: " + e.getClass().getSimpleName();
            refused(source, why);
            TransactionContext t = b.build();
            t.setException(new IOException(node + " refused the entry: " + why));
            return t;
        }
    }

    /** This replica's current Raft term (readable from {@link #initialize} on, before the server's start returns). */
    long currentTerm() {
        try {
            return getServer().get().getDivision(getGroupId()).getInfo().getCurrentTerm();
        } catch (IOException | InterruptedException | ExecutionException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IllegalStateException("the Raft server is not running", e);
        }
    }

    /** Counts a refused entry or command, and logs it the first time its source is refused. */
    private void refused(String source, String why) {
        meters.refused();
        if (refusedSources.add(source)) {
            LOG.warn("{}: refused a log entry from {}: {} (further refusals from it are only counted in "
                    + "vigil_raft_refused_total)", node, source, why);
        }
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        RaftProtos.LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        long started = System.nanoTime();
        ApplyReplyP.Builder reply = ApplyReplyP.newBuilder().setIndex(index);
        ClusterState s = state;
        LogCodec.Entry decoded;
        try {
            decoded = LogCodec.decodeEntry(entry.getStateMachineLogEntry().getLogData().toByteArray());
        } catch (IOException | RuntimeException e) {
            // every replica decodes the same bytes the same way, so skipping it is deterministic
            refused("log entry " + index, "not a Vigil entry: " + e.getMessage());
            decoded = new LogCodec.Entry(s.now(), List.of());
        }
        Batch b = applyBatch(s, decoded, entry.getTerm());
        for (String why : b.refusals()) refused(decoded.origin().isEmpty() ? "an unknown origin" : "\"" + decoded.origin() + "\"", why);
        reply.addAllResults(b.results());
        state = b.state();
        updateLastAppliedTermIndex(entry.getTerm(), index);
        meters.applied(b.ok(), b.rejected(), System.nanoTime() - started);
        onApplied.accept(index, b.state());
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply.build().toByteArray())));
    }

    /** The outcome of one log entry: the new state, each command's result, and why commands were refused for their origin. */
    record Batch(ClusterState state, List<CommandResultP> results, int ok, int rejected, List<String> refusals) {}

    /**
     * Applies each command of an entry appended in Raft term {@code term} on its own: a rejected one leaves the state
     * as it was, the rest still apply. A command its origin may not issue (see {@link CommandAuthority}) is rejected
     * too. Pure: the same state, entry and term always give the same batch.
     */
    static Batch applyBatch(ClusterState start, LogCodec.Entry entry, long term) {
        ClusterState s = start;
        int ok = 0;
        int bad = 0;
        List<CommandResultP> results = new ArrayList<>(entry.commands().size());
        List<String> refusals = new ArrayList<>();
        CommandAuthority.Origin origin = new CommandAuthority.Origin(entry.origin(), entry.controller(), term);
        for (Command c : entry.commands()) {
            Optional<String> refusal = CommandAuthority.refusal(s, c, origin);
            if (refusal.isPresent()) {
                refusals.add(refusal.get());
                results.add(CommandResultP.newBuilder().setField("origin").setProblem(refusal.get())
                        .setFix("only the controller of the current term commits this; a node reports only its own operations").build());
                bad++;
                continue;
            }
            try {
                s = StateTransitions.apply(s, c, entry.at());
                results.add(CommandResultP.newBuilder().setOk(true).build());
                ok++;
            } catch (ConfigException e) {
                results.add(CommandResultP.newBuilder().setField(e.field()).setProblem(e.problem()).setFix(e.fix()).build());
                bad++;
            } catch (RuntimeException e) {
                // a bug in a transition must not stop the replica; the command is rejected the same way on every node
                results.add(CommandResultP.newBuilder().setField("command").setProblem(c.getClass().getSimpleName() + " failed: " + e)
                        .setFix("report this as a bug").build());
                bad++;
            }
        }
        return new Batch(s, results, ok, bad, refusals);
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        try {
            QueryP q = QueryP.parseFrom(request.getContent().toByteArray());
            ClusterState s = state;
            QueryReplyP.Builder r = QueryReplyP.newBuilder().setAppliedIndex(appliedIndex());
            try {
                var info = getServer().get().getDivision(getGroupId()).getInfo();
                r.setTerm(info.getCurrentTerm()).setLeaderId(info.getLeaderId() == null ? "" : info.getLeaderId().toString());
            } catch (IOException | InterruptedException | ExecutionException | RuntimeException e) {
                // no server information yet: leave leader and term empty
            }
            if (q.getFullState()) r.setState(LogCodec.state(s));
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(r.build().toByteArray())));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        // runs on the apply thread between entries, so state and last applied index match
        TermIndex last = getLastAppliedTermIndex();
        ClusterState s = state;
        if (last == null || last.getIndex() < 0) return -1;
        Path target = storage.getSnapshotFile(last.getTerm(), last.getIndex()).toPath();
        MD5Hash md5;
        try {
            if (!Files.exists(target)) SnapshotFile.write(target, LogCodec.encodeState(s));
            md5 = SnapshotFile.writeMd5(target);
        } catch (IOException e) {
            snapshotFailure = "cannot write a snapshot into " + target.getParent() + ": " + e.getMessage() + "; make room or fix the file system";
            throw e;
        }
        snapshotFailure = null;
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target, md5), last));
        storage.cleanupOldSnapshots(KEEP_TWO);
        LOG.info("{}: snapshot at {} written ({} bytes)", node, last, Files.size(target));
        return last.getIndex();
    }

    /** Ratis could not write the log (a full disk, an I/O error): every later write fails too until the node restarts. */
    @Override
    public void notifyLogFailed(Throwable cause, RaftProtos.LogEntryProto failedEntry) {
        Throwable root = cause;
        while (root.getCause() != null) root = root.getCause();
        failure = "cannot write the Raft log in " + dataDir + ": " + root.getMessage() + "; make room on its file system, then restart this node";
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        onLeader.leaderChanged(newLeaderId);
    }
}
