package vigil.api.model;

import java.time.Duration;
import java.util.Objects;

/**
 * An operation definition of a primitive: a recurring monitor (interval > 0) or a timeout / on-fail for
 * start, stop, promote, demote, migrate_to, migrate_from. {@code role} restricts a monitor to one role.
 */
public record Operation(String name, Duration interval, Duration timeout, OnFail onFail, Role role) {
    public Operation {
        Objects.requireNonNull(name, "name");
        interval = interval == null ? Duration.ZERO : interval;
        timeout = timeout == null ? Duration.ofSeconds(20) : timeout;
    }

    public static Operation monitor(Duration interval, Duration timeout) {
        return new Operation("monitor", interval, timeout, null, null);
    }

    public boolean isRecurring() { return !interval.isZero(); }
}
