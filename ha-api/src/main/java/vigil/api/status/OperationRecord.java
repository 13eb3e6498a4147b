package vigil.api.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** The result of one resource operation on one node, as the executor reported it. */
public record OperationRecord(String action, Duration interval, OcfCode code, Instant at, Duration took, String reason) {
    public OperationRecord {
        Objects.requireNonNull(action, "action");
        interval = interval == null ? Duration.ZERO : interval;
        Objects.requireNonNull(code, "code");
        at = at == null ? Instant.EPOCH : at;
        took = took == null ? Duration.ZERO : took;
        reason = reason == null ? "" : reason;
    }
}
