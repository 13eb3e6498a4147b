package vigil.raft;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
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
import vigil.raft.tls.ClusterTrust;
import vigil.raft.tls.NodeTls;

/** A client of a Vigil cluster from outside it (CLI, benchmarks, tests): group-committed writes and state reads. */
public final class VigilClient implements AutoCloseable {
    private final RaftClient client;
    private final RaftClient reader;
    private final Submitter submitter;
    private final Duration timeout;

    /** The name a client's submissions carry: it is no node, so it cannot report operation results. */
    public static final String ORIGIN = "client";

    private VigilClient(String clusterName, List<Node> peers, NodeTls tls, String secret, Duration timeout, int maxBatch, int maxInFlight) {
        this.timeout = timeout;
        var clusterId = RaftSetup.clusterId(clusterName);
        var group = RaftSetup.group(clusterId, peers);
        // a Raft client is a cluster node: it must hold a node certificate of this cluster (tls null: plaintext lab)
        ClusterTrust.Members members = new ClusterTrust.Members() {
            @Override
            public boolean isMember(String nodeId) { return peers.stream().anyMatch(n -> n.id().equals(nodeId)); }

            @Override
            public java.util.Optional<String> nodeAt(String host, int port) {
                return peers.stream().filter(n -> n.address().equals(host + ":" + port)).map(Node::id).findFirst();
            }
        };
        var params = RaftTls.parameters(tls, members, false);
        if (secret == null && tls == null) throw new vigil.api.ConfigException("secret", "a plaintext client needs the cluster secret", "give the token the nodes share");
        // the same key as the nodes' (see VigilNode): the cluster secret, or with TLS and no secret the cluster id
        SubmissionSeal seal = new SubmissionSeal(secret != null ? secret : "cluster " + clusterId);
        this.client = RaftSetup.client(group, timeout, params);
        this.reader = RaftSetup.client(group, timeout, 20, params);
        this.submitter = new Submitter(ORIGIN, Senders.client(() -> RaftSetup.client(group, timeout, params)), e -> seal.seal(ORIGIN, e),
                maxBatch, maxInFlight, new RaftMeters(new SimpleMeterRegistry(), ORIGIN));
    }

    /**
     * A client of the cluster {@code clusterName} (of {@code peers}) with a node certificate of it (null: plaintext)
     * and the cluster secret its nodes hold (null only with TLS, when they run without one).
     */
    public static VigilClient connect(String clusterName, List<Node> peers, NodeTls tls, String secret) {
        return new VigilClient(clusterName, peers, tls, secret, Duration.ofSeconds(5), 2_000, 2);
    }

    public static VigilClient connect(String clusterName, List<Node> peers, NodeTls tls, String secret, int maxBatch, int maxInFlight) {
        return new VigilClient(clusterName, peers, tls, secret, Duration.ofSeconds(5), maxBatch, maxInFlight);
    }

    /** See {@link VigilNode#submit}. */
    public CompletableFuture<List<CommandResult>> submit(List<Command> commands) { return submitter.submit(commands); }

    /** Log entries this client has sent (each carries one or more submitted commands). */
    public long entriesSent() { return submitter.entriesSent(); }

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
            // blocking API: no ordered request window that a dead node could close for good
            RaftClientReply r = linearizable ? client.io().sendReadOnly(q) : reader.io().sendStaleRead(q, 0, RaftPeerId.valueOf(nodeId));
            if (!r.isSuccess()) throw new ClusterUnavailableException("read failed: " + r.getException());
            QueryReplyP reply = QueryReplyP.parseFrom(r.getMessage().getContent().toByteArray());
            return new NodeView(reply.getAppliedIndex(), LogCodec.state(reply.getState()), reply.getLeaderId(), reply.getTerm());
        } catch (IOException e) {
            throw new ClusterUnavailableException("read from " + (nodeId == null ? "the leader" : nodeId) + " failed: " + e, e);
        }
    }

    @Override
    public void close() {
        submitter.close();
        for (RaftClient c : new RaftClient[] {client, reader}) {
            try {
                c.close();
            } catch (IOException e) {
                // closing: nothing left to do with the error
            }
        }
    }
}
