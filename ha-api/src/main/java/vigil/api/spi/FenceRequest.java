package vigil.api.spi;

import java.time.Duration;
import java.util.Objects;

/** A fence action's target: the cluster node, the device's name for it (outlet, domain, plug) and the time allowed. */
public record FenceRequest(String node, String plug, Duration timeout) {
    public FenceRequest {
        Objects.requireNonNull(node, "node");
        plug = plug == null || plug.isEmpty() ? node : plug;
        Objects.requireNonNull(timeout, "timeout");
    }
}
