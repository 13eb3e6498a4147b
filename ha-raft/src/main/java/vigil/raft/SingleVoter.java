package vigil.raft;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.spi.PrivateFiles;
import vigil.api.status.FenceEvent;
import vigil.engine.state.Command;

/**
 * How a host of a two-node cluster continues alone once its peer is confirmed off: a Raft group of two cannot commit
 * the change to one voter without the lost one, so the host restarts its replica with a configuration of itself alone
 * (what Ratis' {@code ratis sh local raftMetaConf} does for a group that lost its majority). The request is a marker in
 * the data directory; at the next start, before Ratis opens the storage, {@code raft-meta.conf} (the configuration
 * Ratis starts from) is replaced by one naming this node only, at the index after the last log entry: the entry the new
 * single leader appends there first is that same configuration, so the log records it, and every later change (the peer
 * admitted again) comes after it.
 *
 * <p>Safe only because the peer was fenced first (or an administrator confirmed it down): while both ran, every
 * commit needed both, so this host's log holds every acknowledged entry, and the peer, when it comes back, cannot form
 * a majority of its own old configuration without this host.
 */
public final class SingleVoter {
    private static final Logger LOG = LoggerFactory.getLogger(SingleVoter.class);
    static final String MARKER = "two-node-single";
    /** Beside the request: the fence of the peer that confirmed it off, for the single leader to commit (see {@link #apply}). */
    static final String FENCE = "two-node-single.fence";
    static final String TWO_NODE = "two-node";
    private static final String META_CONF = "raft-meta.conf";

    private SingleVoter() {}

    /**
     * Asks the next start of the node in {@code dataDir} to be the only voter; {@code why} names the confirmation, and
     * {@code fence} is the peer's confirmed fence that made it (null when an administrator confirmed the peer down).
     */
    public static void request(Path dataDir, String why, FenceEvent fence) throws IOException {
        Path f = dataDir.resolve(FENCE);
        // the fence first: a request is never read with the fence of another one
        if (fence == null) Files.deleteIfExists(f);
        else PrivateFiles.write(f, LogCodec.encodeEntry(null, List.of(new Command.RecordFence(fence))));
        PrivateFiles.writeString(dataDir.resolve(MARKER), why + "\n");
    }

    static boolean requested(Path dataDir) { return Files.exists(dataDir.resolve(MARKER)); }

    /**
     * A two-node host's note of its peer, kept in its data directory: a host that starts knows only its last snapshot
     * until a leader commits the rest, so the note tells it, before that, that it belongs to a two-node cluster (it then
     * waits for its peer, asks it to be admitted, and waits longer before its first election, so that a peer running
     * alone admits it before it campaigns: that peer would otherwise tell the candidate it left the group, and Ratis
     * would stop its replica).
     *
     * @param configVersion the config version that said so: a state at least this new decides instead
     */
    public record PeerNote(String peer, String peerApi, long configVersion) {}

    /** Keeps {@code note} in {@code dataDir} (null: the cluster is not in two-node mode). */
    public static void note(Path dataDir, PeerNote note) throws IOException {
        Path f = dataDir.resolve(TWO_NODE);
        if (note == null) Files.deleteIfExists(f);
        else PrivateFiles.writeString(f, note.peer() + "\n" + note.peerApi() + "\n" + note.configVersion() + "\n");
    }

    /** The note kept in {@code dataDir}, if any (an unreadable one counts as none). */
    public static java.util.Optional<PeerNote> note(Path dataDir) {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve(TWO_NODE));
            return java.util.Optional.of(new PeerNote(lines.get(0), lines.get(1), Long.parseLong(lines.get(2))));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    static boolean twoNode(Path dataDir) { return note(dataDir).isPresent(); }

    /**
     * Rewrites the group's {@code raft-meta.conf} to {@code self} alone at {@code lastIndex + 1}, then removes the
     * request. Fails (and keeps the request) when the storage holds no configuration naming {@code self}.
     *
     * @return the peer's fence that the request came with: it could not be committed while the peer was a voter (no
     *         majority without it), so the single leader's controller commits it, and the peer is not fenced again
     */
    static Optional<FenceEvent> apply(Path dataDir, Path groupDir, String self, long lastIndex) throws IOException {
        Path conf = groupDir.resolve("current").resolve(META_CONF);
        if (!Files.exists(conf)) throw new IOException("no " + conf + ": this replica never applied a Raft configuration");
        LogEntryProto old;
        try (InputStream in = Files.newInputStream(conf)) {
            old = LogEntryProto.parseFrom(in);
        }
        List<RaftPeerProto> me = old.getConfigurationEntry().getPeersList().stream()
                .filter(p -> p.getId().toString(StandardCharsets.UTF_8).equals(self)).toList();
        if (me.isEmpty()) throw new IOException(conf + " does not name " + self + " as a voter");
        long index = Math.max(lastIndex, old.getIndex()) + 1;
        LogEntryProto single = LogEntryProto.newBuilder().setTerm(old.getTerm()).setIndex(index)
                .setConfigurationEntry(RaftConfigurationProto.newBuilder().addAllPeers(me)).build();
        Optional<FenceEvent> fence = requestedFence(dataDir);
        PrivateFiles.write(conf, single.toByteArray());
        Files.delete(dataDir.resolve(MARKER));
        Files.deleteIfExists(dataDir.resolve(FENCE));
        LOG.warn("{}: the Raft configuration is now this node alone (at index {}, was {} voters at index {}): its two-node peer is confirmed off",
                self, index, old.getConfigurationEntry().getPeersCount(), old.getIndex());
        return fence;
    }

    /** The fence kept with the request; an unreadable one counts as none (the controller then fences the peer itself). */
    private static Optional<FenceEvent> requestedFence(Path dataDir) {
        Path f = dataDir.resolve(FENCE);
        if (!Files.exists(f)) return Optional.empty();
        try {
            return LogCodec.decodeEntry(Files.readAllBytes(f)).commands().stream()
                    .filter(Command.RecordFence.class::isInstance).map(c -> ((Command.RecordFence) c).event()).findFirst();
        } catch (IOException e) {
            LOG.warn("cannot read the peer's fence in {}: {}; the controller fences the peer again", f, e.getMessage());
            return Optional.empty();
        }
    }
}
