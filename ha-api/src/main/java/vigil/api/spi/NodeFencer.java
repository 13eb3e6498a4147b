package vigil.api.spi;

import vigil.api.model.ClusterConfig;
import vigil.api.status.FenceEvent;

/**
 * Fences a node through its fencing topology: levels in ascending index, every device of a level must succeed,
 * falling back to the next level otherwise. Implemented by ha-fencing; called by the controller on a surviving node.
 */
public interface NodeFencer {
    /** @param action {@code off} or {@code reboot}; the result's {@code success} means the target was confirmed off */
    FenceEvent fence(ClusterConfig config, String target, String action, String executorNode);

    /**
     * Checks that fence device {@code device} of {@code config} answers (its monitor / status action), so that a device
     * that could not fence (a wrong password, an unreachable BMC) is noticed before it is needed. {@link FenceResult.Failed}
     * says why, with secrets masked.
     */
    default FenceResult check(ClusterConfig config, String device) {
        return new FenceResult.Failed(device + ": this node cannot check fence devices (no fencing module on its class path)");
    }
}
