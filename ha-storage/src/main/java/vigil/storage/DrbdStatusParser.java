package vigil.storage;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Parses {@code drbdsetup status --json} (DRBD 9) into {@link DrbdResourceStatus} values. Pure. */
public final class DrbdStatusParser {
    private DrbdStatusParser() {}

    /** @throws IllegalArgumentException naming what is malformed, when the text is not drbdsetup's JSON array */
    public static List<DrbdResourceStatus> parse(String json) {
        Object root;
        try {
            root = Json.parse(json == null ? "" : json.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("drbdsetup status --json: " + e.getMessage(), e);
        }
        if (!(root instanceof List)) throw new IllegalArgumentException("drbdsetup status --json: expected a JSON array of resources");
        List<DrbdResourceStatus> out = new ArrayList<>();
        for (Object o : (List<?>) root) out.add(resource(map(o, "resource")));
        return out;
    }

    private static DrbdResourceStatus resource(Map<?, ?> r) {
        String name = str(r, "name", null);
        if (name == null) throw new IllegalArgumentException("drbdsetup status --json: a resource has no \"name\"");
        List<DrbdResourceStatus.Device> devices = new ArrayList<>();
        for (Object o : list(r, "devices")) {
            Map<?, ?> d = map(o, "device");
            devices.add(new DrbdResourceStatus.Device(num(d, "volume", 0).intValue(), num(d, "minor", -1).intValue(),
                    DiskState.parse(str(d, "disk-state", null)), bool(d, "client", false), bool(d, "quorum", true)));
        }
        List<DrbdResourceStatus.Connection> conns = new ArrayList<>();
        for (Object o : list(r, "connections")) {
            Map<?, ?> c = map(o, "connection");
            List<DrbdResourceStatus.PeerDevice> pds = new ArrayList<>();
            for (Object p : list(c, "peer_devices")) {
                Map<?, ?> pd = map(p, "peer device");
                pds.add(new DrbdResourceStatus.PeerDevice(num(pd, "volume", 0).intValue(),
                        ReplicationState.parse(str(pd, "replication-state", null)), DiskState.parse(str(pd, "peer-disk-state", null)),
                        bool(pd, "peer-client", false), num(pd, "out-of-sync", -1).longValue(),
                        num(pd, "percent-in-sync", -1).doubleValue()));
            }
            conns.add(new DrbdResourceStatus.Connection(num(c, "peer-node-id", -1).intValue(), str(c, "name", ""),
                    ConnectionState.parse(str(c, "connection-state", null)), DrbdRole.parse(str(c, "peer-role", null)), pds));
        }
        return new DrbdResourceStatus(name, num(r, "node-id", -1).intValue(), DrbdRole.parse(str(r, "role", null)),
                bool(r, "suspended", false), devices, conns);
    }

    private static Map<?, ?> map(Object o, String what) {
        if (!(o instanceof Map)) throw new IllegalArgumentException("drbdsetup status --json: expected a " + what + " object");
        return (Map<?, ?>) o;
    }

    private static List<?> list(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v instanceof List ? (List<?>) v : List.of();
    }

    private static String str(Map<?, ?> m, String key, String dflt) {
        Object v = m.get(key);
        return v instanceof String ? (String) v : dflt;
    }

    private static BigDecimal num(Map<?, ?> m, String key, long dflt) {
        Object v = m.get(key);
        return v instanceof BigDecimal ? (BigDecimal) v : BigDecimal.valueOf(dflt);
    }

    private static boolean bool(Map<?, ?> m, String key, boolean dflt) {
        Object v = m.get(key);
        if (v instanceof Boolean) return (Boolean) v;
        if (v instanceof String) return "yes".equals(v) || "true".equals(v);
        return dflt;
    }
}
