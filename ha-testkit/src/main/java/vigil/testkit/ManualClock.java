package vigil.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock tests advance by hand. */
public final class ManualClock implements InstantSource {
    private volatile Instant now;

    public ManualClock(Instant start) { this.now = start; }

    @Override
    public Instant instant() { return now; }

    public void advance(Duration d) { now = now.plus(d); }

    public void set(Instant t) { now = t; }
}
