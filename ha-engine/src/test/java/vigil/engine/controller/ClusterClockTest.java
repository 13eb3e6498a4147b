package vigil.engine.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import vigil.testkit.ManualClock;

class ClusterClockTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(1);
    private final ManualClock mono = new ManualClock(T0);
    private final ClusterClock clock = new ClusterClock(Controller.monotonic(mono));
    private static final List<String> THREE = List.of("n1", "n2", "n3");

    @Test
    void aMinorityAheadOrBehindDoesNotMoveIt() {
        clock.reading("n1", T0.plus(Duration.ofHours(1)));
        clock.reading("n2", T0);
        clock.reading("n3", T0.minus(Duration.ofHours(1)));
        assertEquals(Optional.of(T0), clock.now(THREE, NODE_TIMEOUT));
        clock.reading("n3", T0.plus(Duration.ofHours(2)));
        assertEquals(Optional.of(T0.plus(Duration.ofHours(1))), clock.now(THREE, NODE_TIMEOUT), "two of three ahead: the majority wins");
    }

    @Test
    void readingsAreCarriedForwardOnTheMonotonicClockUntilTheyAreOlderThanNodeTimeout() {
        clock.reading("n1", T0);
        clock.reading("n2", T0.plusMillis(10));
        mono.advance(Duration.ofMillis(400));
        assertEquals(Optional.of(T0.plusMillis(400)), clock.now(THREE, NODE_TIMEOUT), "lower median of two fresh readings of three voters");
        mono.advance(Duration.ofMillis(700));
        assertEquals(Optional.empty(), clock.now(THREE, NODE_TIMEOUT), "no fresh majority, no time");
    }

    @Test
    void twoVotersTakeTheEarlierClock_oneVoterItsOwn() {
        clock.reading("n1", T0.plus(Duration.ofHours(1)));
        clock.reading("n2", T0);
        assertEquals(Optional.of(T0), clock.now(List.of("n1", "n2"), NODE_TIMEOUT));
        assertEquals(Optional.empty(), clock.now(List.of("n1", "n2", "n3", "n4"), NODE_TIMEOUT), "two of four is no majority");
        assertEquals(Optional.of(T0.plus(Duration.ofHours(1))), clock.now(List.of("n1"), NODE_TIMEOUT));
    }
}
