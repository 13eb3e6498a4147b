package vigil.api.status;

import java.time.Instant;
import java.util.Objects;

/**
 * The last periodic check of a fence device (its status / monitor action), so that a device that cannot fence (a wrong
 * password, an unreachable BMC) is seen before it is needed.
 *
 * @param device      the fence device id
 * @param ok          whether the device answered as expected
 * @param checkedFrom the node that ran the check (never the device's only target)
 * @param at          when (the controller's clock)
 * @param detail      what the device said, secrets masked
 */
public record FenceDeviceStatus(String device, boolean ok, String checkedFrom, Instant at, String detail) {
    public FenceDeviceStatus {
        Objects.requireNonNull(device, "device");
        checkedFrom = checkedFrom == null ? "" : checkedFrom;
        at = at == null ? Instant.EPOCH : at;
        detail = detail == null ? "" : detail;
    }
}
