package vigil.fencing.watchdog;

import java.time.Duration;
import java.time.Instant;

/**
 * When a lost node that self-fences by watchdog may be considered down. The node stops feeding its watchdog once it
 * has heard from no leader for node-timeout, and the watchdog resets it at most watchdog-timeout later; so the node's
 * resources may be recovered elsewhere only once {@code node-timeout + watchdog-timeout} have passed since the
 * cluster last heard from it. Before that it may still be running them. (Pacemaker's stonith-watchdog-timeout,
 * https://clusterlabs.org/pacemaker/doc/2.1/Pacemaker_Explained/html/cluster-options.html)
 */
public final class WatchdogRule {
    private WatchdogRule() {}

    /** The earliest instant the node counts as self-fenced. */
    public static Instant recoverAt(Instant lastContact, Duration nodeTimeout, Duration watchdogTimeout) {
        if (watchdogTimeout.isZero() || watchdogTimeout.isNegative()) {
            throw new IllegalArgumentException("watchdog-timeout must be positive for watchdog fencing, got " + watchdogTimeout);
        }
        return lastContact.plus(nodeTimeout).plus(watchdogTimeout);
    }

    public static boolean mayRecover(Instant now, Instant lastContact, Duration nodeTimeout, Duration watchdogTimeout) {
        return !now.isBefore(recoverAt(lastContact, nodeTimeout, watchdogTimeout));
    }
}
