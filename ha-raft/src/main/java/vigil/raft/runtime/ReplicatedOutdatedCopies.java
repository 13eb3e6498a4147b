package vigil.raft.runtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import vigil.api.ClusterUnavailableException;
import vigil.api.spi.OutdatedCopies;
import vigil.engine.state.Command;
import vigil.raft.CommandResult;
import vigil.raft.VigilNode;

/**
 * The cluster's resource-level fencing marks as this node's drivers see them: read from the state this node applied,
 * set and cleared by committed commands, so that every node, and the scheduler, sees the same marks.
 */
final class ReplicatedOutdatedCopies implements OutdatedCopies {
    private static final Duration COMMIT = Duration.ofSeconds(10);

    private final VigilNode raft;

    ReplicatedOutdatedCopies(VigilNode raft) { this.raft = raft; }

    @Override
    public void mark(String resource, String node, String reason) { commit(new Command.MarkOutdated(resource, node, reason)); }

    @Override
    public void clear(String resource, String node) { commit(new Command.ClearOutdated(resource, node)); }

    @Override
    public boolean isOutdated(String resource, String node) { return raft.state().isOutdated(resource, node); }

    private void commit(Command c) {
        List<CommandResult> r;
        try {
            r = raft.submit(List.of(c)).get(COMMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ClusterUnavailableException(raft.id() + ": " + c + " not committed within " + COMMIT.toSeconds() + " s: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterUnavailableException(raft.id() + ": interrupted committing " + c, e);
        }
        r.get(0).orThrow();
    }
}
