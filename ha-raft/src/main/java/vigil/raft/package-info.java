/**
 * Vigil's replicated cluster state on Apache Ratis.
 *
 * <p>{@link vigil.raft.VigilNode} runs one Raft member: log entries carry batches of
 * {@link vigil.engine.state.Command}s (protobuf schema {@code vigil/raft/log.proto}, mapped exactly by
 * {@link vigil.raft.LogCodec}) and are applied deterministically to the immutable {@link vigil.api.status.ClusterState};
 * snapshots are that state's encoding. Concurrent submissions are group-committed: while earlier entries are in
 * flight, new commands queue and travel together in the next entry, so one Raft round and one fsync serve many changes.
 * {@link vigil.raft.RaftCluster} is the {@link vigil.api.Cluster} failover API on a node;
 * {@link vigil.raft.VigilClient} reaches a cluster from outside; {@link vigil.raft.LocalCluster} and
 * {@link vigil.raft.NodeMain} run clusters of local processes for tests and {@code bench commits}. No Ratis type appears
 * in a public signature.
 */
package vigil.raft;
