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
}
