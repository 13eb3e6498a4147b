package vigil.raft;

/** Called when this node learns of a new leader ({@code leaderId} empty while there is none), on the node's event thread. */
@FunctionalInterface
public interface LeadershipListener {
    void leadershipChanged(boolean isLeader, String leaderId, long term);
}
