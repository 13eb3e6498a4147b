package vigil.api.spi;

import java.util.List;

/**
 * Controls the power of cluster nodes through one fence device. Each call blocks until the device confirmed the
 * result or {@code request.timeout()} passed; a timeout, refusal or unreachable device is {@link FenceResult.Failed},
 * never a success. {@code off} and {@code reboot} return {@link FenceResult.Off} only once the target is verified off
 * (for reboot: was off before it was powered on again).
 */
public interface FenceAgent extends AutoCloseable {
    FenceResult off(FenceRequest request);

    FenceResult on(FenceRequest request);

    FenceResult reboot(FenceRequest request);

    /** {@link FenceResult.On} or {@link FenceResult.Off} as the device reports it. */
    FenceResult status(FenceRequest request);

    /** The plugs (outlets, domains) the device knows. */
    List<String> list(java.time.Duration timeout);

    /** Whether the device is reachable and answers; {@code Failed} says why not. */
    FenceResult monitor(java.time.Duration timeout);

    @Override
    default void close() {}
}
