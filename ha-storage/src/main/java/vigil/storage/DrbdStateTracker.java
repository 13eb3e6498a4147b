package vigil.storage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Folds {@code drbdsetup events2} lines into the current state of every resource, the way
 * {@code drbdsetup events2 --now --statistics} output or a live stream describes it. Also remembers split-brain
 * reports (the kernel calls the {@code split-brain} / {@code initial-split-brain} helper when the after-sb policies
 * could not resolve one). Not thread-safe; pure apart from its own state.
 */
public final class DrbdStateTracker {
    private final Map<String, Res> resources = new TreeMap<>();
    private final List<SplitBrain> splitBrains = new ArrayList<>();
    private boolean initialStateComplete;

    /** A split brain the kernel reported: resource, peer connection name and volume. */
    public record SplitBrain(String resource, String peer, int volume, String helper) {}

    /** Parses every line of {@code output} and applies it; returns this tracker. */
    public static DrbdStateTracker of(String output) {
        DrbdStateTracker t = new DrbdStateTracker();
        for (String line : output.split("\n")) t.accept(line);
        return t;
    }

    public void accept(String line) { DrbdEvent.parse(line).ifPresent(this::apply); }

    public void apply(DrbdEvent e) {
        if (e.isEndOfInitialState()) { initialStateComplete = true; return; }
        String name = e.resource();
        if (name.isEmpty()) return;
        if ("resource".equals(e.object())) {
            if ("destroy".equals(e.verb())) { resources.remove(name); return; }
            Res r = resources.computeIfAbsent(name, Res::new);
            e.fields().forEach((k, v) -> r.fields.put(k, v));
            return;
        }
        Res r = resources.computeIfAbsent(name, Res::new);
        switch (e.object()) {
            case "device": {
                String key = e.fields().getOrDefault("volume", "0");
                if ("destroy".equals(e.verb())) r.devices.remove(key);
                else r.devices.computeIfAbsent(key, x -> new LinkedHashMap<>()).putAll(e.fields());
                break;
            }
            case "connection": {
                String key = e.fields().getOrDefault("peer-node-id", e.fields().getOrDefault("conn-name", ""));
                if ("destroy".equals(e.verb())) r.connections.remove(key);
                else r.connections.computeIfAbsent(key, x -> new LinkedHashMap<>()).putAll(e.fields());
                break;
            }
            case "peer-device": {
                String key = e.fields().getOrDefault("peer-node-id", e.fields().getOrDefault("conn-name", "")) + "/"
                        + e.fields().getOrDefault("volume", "0");
                if ("destroy".equals(e.verb())) r.peerDevices.remove(key);
                else r.peerDevices.computeIfAbsent(key, x -> new LinkedHashMap<>()).putAll(e.fields());
                break;
            }
            case "helper": {
                String helper = e.fields().getOrDefault("helper", "");
                if ("call".equals(e.verb()) && (helper.equals("split-brain") || helper.equals("initial-split-brain"))) {
                    splitBrains.add(new SplitBrain(name, e.fields().getOrDefault("conn-name", ""),
                            parseInt(e.fields().get("volume"), 0), helper));
                }
                break;
            }
            default:
                break; // paths and unknown objects do not change the state Vigil acts on
        }
    }

    public boolean initialStateComplete() { return initialStateComplete; }

    public List<SplitBrain> splitBrains() { return List.copyOf(splitBrains); }

    public Optional<DrbdResourceStatus> resource(String name) {
        Res r = resources.get(name);
        return r == null ? Optional.empty() : Optional.of(r.toStatus());
    }

    public List<DrbdResourceStatus> resources() {
        List<DrbdResourceStatus> out = new ArrayList<>();
        for (Res r : resources.values()) out.add(r.toStatus());
        return out;
    }

    private static int parseInt(String s, int dflt) {
        try {
            return s == null ? dflt : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static long parseLong(String s, long dflt) {
        try {
            return s == null ? dflt : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static final class Res {
        final String name;
        final Map<String, String> fields = new LinkedHashMap<>();
        final Map<String, Map<String, String>> devices = new TreeMap<>();
        final Map<String, Map<String, String>> connections = new TreeMap<>();
        final Map<String, Map<String, String>> peerDevices = new TreeMap<>();

        Res(String name) { this.name = name; }

        DrbdResourceStatus toStatus() {
            List<DrbdResourceStatus.Device> devs = new ArrayList<>();
            for (Map<String, String> d : devices.values()) {
                devs.add(new DrbdResourceStatus.Device(parseInt(d.get("volume"), 0), parseInt(d.get("minor"), -1),
                        DiskState.parse(d.get("disk")), "yes".equals(d.get("client")), !"no".equals(d.get("quorum"))));
            }
            List<DrbdResourceStatus.Connection> conns = new ArrayList<>();
            for (var ce : connections.entrySet()) {
                Map<String, String> c = ce.getValue();
                List<DrbdResourceStatus.PeerDevice> pds = new ArrayList<>();
                for (var pe : peerDevices.entrySet()) {
                    if (!pe.getKey().startsWith(ce.getKey() + "/")) continue;
                    Map<String, String> p = pe.getValue();
                    long oos = parseLong(p.get("out-of-sync"), -1);
                    double done = p.containsKey("done") ? Double.parseDouble(p.get("done")) : -1;
                    pds.add(new DrbdResourceStatus.PeerDevice(parseInt(p.get("volume"), 0), ReplicationState.parse(p.get("replication")),
                            DiskState.parse(p.get("peer-disk")), "yes".equals(p.get("peer-client")), oos, done));
                }
                conns.add(new DrbdResourceStatus.Connection(parseInt(c.get("peer-node-id"), -1), c.getOrDefault("conn-name", ""),
                        ConnectionState.parse(c.get("connection")), DrbdRole.parse(c.get("role")), pds));
            }
            return new DrbdResourceStatus(name, -1, DrbdRole.parse(fields.get("role")),
                    fields.containsKey("suspended") && !"no".equals(fields.get("suspended")), devs, conns);
        }
    }
}
