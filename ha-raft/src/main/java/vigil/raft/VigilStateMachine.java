package vigil.raft;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import com.google.protobuf.InvalidProtocolBufferException;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos;
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
import vigil.api.status.ClusterState;
import vigil.engine.state.Command;
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
    private final Supplier<Optional<Instant>> clusterTime;
    private volatile ClusterState state = ClusterState.EMPTY;

    interface LeaderCallback {
        void leaderChanged(RaftPeerId leader);
    }

    /** @param clusterTime the cluster time this node stamps on the entries it accepts while it leads (empty: none) */
    VigilStateMachine(String node, RaftMeters meters, BiConsumer<Long, ClusterState> onApplied, LeaderCallback onLeader,
                      Supplier<Optional<Instant>> clusterTime) {
        this.node = node;
        this.meters = meters;
        this.onApplied = onApplied;
        this.onLeader = onLeader;
        this.clusterTime = clusterTime;
    }

    /**
     * On the leader, for every entry a client submits: the entry as sent, stamped with the leader's cluster time. Every
     * replica applies the same bytes, so the time each applies is the leader's, never the submitter's. An entry that is
     * not a Vigil entry passes unchanged (apply skips it).
     */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        ByteString sent = request.getMessage().getContent();
        ByteString stamped;
        try {
            stamped = ByteString.copyFrom(LogCodec.stamp(sent.toByteArray(), clusterTime.get().orElse(null)));
        } catch (InvalidProtocolBufferException e) {
            stamped = sent;
        }
        return TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request).setLogData(stamped).build();
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

    @Override
    public synchronized void reinitialize() throws IOException {
        // called after a snapshot from the leader was installed
        SingleFileSnapshotInfo installed = storage.loadLatestSnapshot();
        LOG.info("{}: installed a snapshot from the leader at {}", node, installed == null ? "none" : installed.getTermIndex());
        load(installed);
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() { return storage; }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) return;
        Path file = snapshot.getFile().getPath();
        if (snapshot.hasMd5()) MD5FileUtil.verifySavedMD5(file.toFile(), snapshot.getFile().getFileDigest());
        ClusterState loaded = LogCodec.decodeState(Files.readAllBytes(file));
        state = loaded;
        setLastAppliedTermIndex(snapshot.getTermIndex());
        LOG.info("{}: loaded snapshot {} (config version {})", node, snapshot.getTermIndex(), loaded.configVersion());
        onApplied.accept(snapshot.getIndex(), loaded);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        RaftProtos.LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        long started = System.nanoTime();
        ApplyReplyP.Builder reply = ApplyReplyP.newBuilder().setIndex(index);
        ClusterState s = state;
        int ok = 0;
        int bad = 0;
        LogCodec.Entry decoded;
        try {
            decoded = LogCodec.decodeEntry(entry.getStateMachineLogEntry().getLogData().toByteArray());
        } catch (IOException | RuntimeException e) {
            // every replica decodes the same bytes the same way, so skipping it is deterministic
            LOG.warn("{}: log entry {} is not a Vigil entry, skipped: {}", node, index, e.getMessage());
            decoded = new LogCodec.Entry(s.now(), List.of());
        }
        Batch b = applyBatch(s, decoded);
        reply.addAllResults(b.results());
        s = b.state();
        ok = b.ok();
        bad = b.rejected();
        state = s;
        updateLastAppliedTermIndex(entry.getTerm(), index);
        meters.applied(ok, bad, System.nanoTime() - started);
        onApplied.accept(index, s);
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply.build().toByteArray())));
    }

    /** The outcome of one log entry: the new state and each command's result. */
    record Batch(ClusterState state, List<CommandResultP> results, int ok, int rejected) {}

    /**
     * Applies each command of an entry on its own: a rejected one leaves the state as it was, the rest still apply.
     * Pure: the same state and entry always give the same batch.
     */
    static Batch applyBatch(ClusterState start, LogCodec.Entry entry) {
        ClusterState s = start;
        int ok = 0;
        int bad = 0;
        List<CommandResultP> results = new ArrayList<>(entry.commands().size());
        for (Command c : entry.commands()) {
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
        return new Batch(s, results, ok, bad);
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
            } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException | RuntimeException e) {
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
        if (!Files.exists(target)) {
            Path tmp = target.resolveSibling("vigil-snapshot.tmp");
            byte[] bytes = LogCodec.encodeState(s);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(target.toFile());
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target, md5), last));
        storage.cleanupOldSnapshots(KEEP_TWO);
        LOG.info("{}: snapshot at {} written ({} bytes)", node, last, Files.size(target));
        return last.getIndex();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        onLeader.leaderChanged(newLeaderId);
    }
}
