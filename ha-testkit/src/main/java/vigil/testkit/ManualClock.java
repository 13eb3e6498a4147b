package vigil.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import vigil.api.Ticker;

/**
 * A clock tests advance by hand: a wall clock ({@link InstantSource}) and a monotonic one ({@link Ticker}) together.
 * {@link #advance} moves both, as time passing does; {@link #step} moves only the wall clock, as an NTP or operator
 * step of the system time does.
 */
public final class ManualClock implements InstantSource, Ticker {
    private volatile Instant now;
    private volatile long nanos;

    public ManualClock(Instant start) { this.now = start; }

    @Override
    public Instant instant() { return now; }

    @Override
    public long read() { return nanos; }

    /** Time passes: both clocks move forward by {@code d}. */
    public synchronized void advance(Duration d) {
        if (d.isNegative()) throw new IllegalArgumentException("time does not pass backwards: " + d + " (use step for a wall-clock step)");
        now = now.plus(d);
        nanos += d.toNanos();
    }

    /** The wall clock is stepped by {@code d} (forward or back); the monotonic clock does not move. */
    public synchronized void step(Duration d) { now = now.plus(d); }

    public void set(Instant t) { now = t; }
}
