package vigil.api;

/**
 * A monotonic clock: nanoseconds from an arbitrary origin, for measuring how much time passed (leases, timeouts,
 * watchdog waits). Unlike the wall clock ({@link java.time.InstantSource}) it never jumps when NTP or an operator
 * steps the system time. Tests pass a manual one (as Caffeine's {@code Ticker}).
 */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds since an arbitrary, fixed origin of this process; only differences between readings mean anything. */
    long read();

    /** {@link System#nanoTime()}. */
    static Ticker system() { return System::nanoTime; }
}
