package vigil.engine.controller;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster's time, as the controller stamps it on every log entry (the only time the replicated state sees): the
 * lower median of the wall clocks of the voting nodes that answered a heartbeat within node-timeout, this node's
 * included. Each node's reading comes with its heartbeat reply and is carried forward on this node's monotonic clock.
 * So no minority of nodes whose clocks run ahead (or behind) moves it, and since the state never lets its time go
 * back, a clock that was ahead cannot leave it ahead once corrected. Without fresh readings from a majority there is
 * no cluster time: entries then leave the state's time as it was.
 *
 * <p>Thread-safe: readings arrive on the controller's thread, {@link #now} is asked from Raft's.
 */
final class ClusterClock {
    private record Reading(Instant wall, Instant receivedAt) {}

    private final InstantSource monotonic;
    private final Map<String, Reading> readings = new ConcurrentHashMap<>();

    /** @param monotonic this node's monotonic time line (see {@link Controller}) */
    ClusterClock(InstantSource monotonic) { this.monotonic = monotonic; }

    /** {@code node}'s wall clock read {@code wall} when it answered (the answer is taken as arriving now). */
    void reading(String node, Instant wall) { readings.put(node, new Reading(wall, monotonic.instant())); }

    void clear() { readings.clear(); }

    /** The cluster time now, if a majority of {@code voters} gave a reading within {@code nodeTimeout}. */
    Optional<Instant> now(Collection<String> voters, Duration nodeTimeout) {
        Instant t = monotonic.instant();
        List<Instant> fresh = new ArrayList<>();
        for (String v : voters) {
            Reading r = readings.get(v);
            if (r == null) continue;
            Duration age = Duration.between(r.receivedAt(), t);
            if (age.isNegative() || age.compareTo(nodeTimeout) > 0) continue;
            fresh.add(r.wall().plus(age));
        }
        if (fresh.isEmpty() || fresh.size() * 2 <= voters.size()) return Optional.empty();
        fresh.sort(null);
        return Optional.of(fresh.get((fresh.size() - 1) / 2));
    }
}
