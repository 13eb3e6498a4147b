package vigil.raft;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The node's Micrometer meters, tagged with the node id. */
final class RaftMeters {
    private final Counter commits;
    private final Counter rejected;
    private final Counter refused;
    private final Timer applyLatency;
    private final Counter leaderChanges;
    private final AtomicLong term = new AtomicLong();
    private final DistributionSummary batchSize;

    RaftMeters(MeterRegistry registry, String node) {
        commits = Counter.builder("vigil.raft.commits").description("commands committed and applied").tag("node", node).register(registry);
        rejected = Counter.builder("vigil.raft.rejected").description("committed commands rejected by validation").tag("node", node).register(registry);
        refused = Counter.builder("vigil.raft.refused").description("log entries and commands refused: not sealed with the cluster secret, "
                + "not well-formed, or not allowed from their origin").tag("node", node).register(registry);
        applyLatency = Timer.builder("vigil.raft.apply.latency").description("time to apply one log entry to the state").tag("node", node)
                .publishPercentiles(0.5, 0.99).register(registry);
        leaderChanges = Counter.builder("vigil.raft.leader.changes").description("leader changes seen by this node").tag("node", node).register(registry);
        Gauge.builder("vigil.raft.term", term, AtomicLong::get).description("current Raft term").tag("node", node).register(registry);
        batchSize = DistributionSummary.builder("vigil.raft.batch.size").description("commands per log entry submitted by this node")
                .tag("node", node).register(registry);
    }

    void applied(int ok, int bad, long nanos) {
        commits.increment(ok);
        if (bad > 0) rejected.increment(bad);
        applyLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    void refused() { refused.increment(); }

    void leaderChanged(long newTerm) {
        leaderChanges.increment();
        term.set(newTerm);
    }

    void batch(int size) { batchSize.record(size); }
}
