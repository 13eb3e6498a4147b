package vigil.api.status;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** One fencing attempt: target, action, which devices were used, who ran it, and whether the target is confirmed off. */
public record FenceEvent(String target, String action, List<String> devices, String executor, boolean success, Instant at, String detail) {
    public FenceEvent {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(action, "action");
        devices = List.copyOf(devices == null ? List.of() : devices);
        executor = executor == null ? "" : executor;
        at = at == null ? Instant.EPOCH : at;
        detail = detail == null ? "" : detail;
    }
}
