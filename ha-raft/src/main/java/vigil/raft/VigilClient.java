package vigil.raft;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import vigil.api.ClusterUnavailableException;
import vigil.api.model.Node;
import vigil.api.status.ClusterState;
import vigil.engine.state.Command;
import vigil.raft.proto.QueryP;
import vigil.raft.proto.QueryReplyP;

/** A client of a Vigil cluster from outside it (CLI, benchmarks, tests): group-committed writes and state reads. */
public final class VigilClient implements AutoCloseable {
    private final RaftClient client;
    private final Submitter submitter;
    private final Duration timeout;

    private VigilClient(String clusterName, List<Node> peers, Duration timeout, int maxBatch, int maxInFlight) {
        this.timeout = timeout;
        this.client = RaftSetup.client(RaftSetup.group(clusterName, peers), timeout);
        this.submitter = new Submitter("client", client, InstantSource.system(), maxBatch, maxInFlight,
                new RaftMeters(new SimpleMeterRegistry(), "client"));
    }

    public static VigilClient connect(String clusterName, List<Node> peers) {
        return new VigilClient(clusterName, peers, Duration.ofSeconds(5), 2_000, 8);
    }

    public static VigilClient connect(String clusterName, List<Node> peers, int maxBatch, int maxInFlight) {
        return new VigilClient(clusterName, peers, Duration.ofSeconds(5), maxBatch, maxInFlight);
    }

    /** See {@link VigilNode#submit}. */
    public CompletableFuture<List<CommandResult>> submit(List<Command> commands) { return submitter.submit(commands); }

    /** The leader's state after a Raft read index: linearizable. */
    public ClusterState readLinearizable() { return query(null, true).state(); }

    /** The leader's view after a Raft read index. */
    public NodeView readLeader() { return query(null, true); }

    /** What one node has applied, without waiting for anything (its own view, possibly behind). */
    public NodeView readLocal(String nodeId) { return query(nodeId, false); }

    /** A node's applied state, the log index it reflects, and the leader and term it knows of. */
    public record NodeView(long appliedIndex, ClusterState state, String leaderId, long term) {}

    private NodeView query(String nodeId, boolean linearizable) {
        Message q = Message.valueOf(ByteString.copyFrom(QueryP.newBuilder().setFullState(true).build().toByteArray()));
        try {
            CompletableFuture<RaftClientReply> f = linearizable
                    ? client.async().sendReadOnly(q)
                    : client.async().sendStaleRead(q, 0, RaftPeerId.valueOf(nodeId));
            RaftClientReply r = f.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            if (!r.isSuccess()) throw new ClusterUnavailableException("read failed: " + r.getException());
            QueryReplyP reply = QueryReplyP.parseFrom(r.getMessage().getContent().toByteArray());
            return new NodeView(reply.getAppliedIndex(), LogCodec.state(reply.getState()), reply.getLeaderId(), reply.getTerm());
        } catch (ExecutionException | TimeoutException | IOException e) {
            throw new ClusterUnavailableException("read from " + (nodeId == null ? "the leader" : nodeId) + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterUnavailableException("interrupted", e);
        }
    }

    @Override
    public void close() {
        submitter.close();
        try {
            client.close();
        } catch (IOException e) {
            // closing: nothing left to do with the error
        }
    }
}
