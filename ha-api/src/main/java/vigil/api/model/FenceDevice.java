package vigil.api.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A STONITH device. {@code type} selects the adapter ({@code ipmi}, {@code libvirt}, {@code apc-snmp},
 * {@code agent:fence_ipmilan}). {@code hostList} names the nodes it can fence (empty: any node in
 * {@code hostMap}); {@code hostMap} maps a node to the device's name for it (outlet, domain, plug). {@code delay}
 * is waited before fencing, so that in a two-host fence race the host whose device has no delay wins.
 * Secret parameters (see {@link Secrets}) are masked in {@link #toString()}.
 */
public record FenceDevice(String id, String type, Map<String, String> params, List<String> hostList,
                          Map<String, String> hostMap, Duration delay) {
    public FenceDevice {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        params = Maps.sorted(params);
        hostList = List.copyOf(hostList == null ? List.of() : hostList);
        hostMap = Maps.sorted(hostMap);
        delay = delay == null ? Duration.ZERO : delay;
    }

    /** Whether this device is configured to fence {@code node}. */
    public boolean canFence(String node) {
        if (!hostList.isEmpty()) return hostList.contains(node);
        return hostMap.isEmpty() || hostMap.containsKey(node);
    }

    /** The device's name for {@code node}: its host-map entry, else the node id itself. */
    public String plugFor(String node) { return hostMap.getOrDefault(node, node); }

    @Override
    public String toString() {
        return "FenceDevice[id=" + id + ", type=" + type + ", params=" + Secrets.mask(params) + ", hostList=" + hostList
                + ", hostMap=" + hostMap + ", delay=" + delay + "]";
    }
}
