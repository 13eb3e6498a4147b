package vigil.storage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import vigil.api.ConfigException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.model.Primitive;

/**
 * One DRBD 9 resource as Vigil configures it: its hosts (cluster node, host name for the {@code on} section,
 * node-id, replication address), its volumes, protocol, net options, quorum, fencing, handlers and split-brain
 * policies. Built from a {@code drbd} primitive's parameters ({@link #fromParams}) or from the cluster configuration
 * ({@link #fromCluster}); rendered to a resource file by {@link DrbdResourceFile#render}.
 *
 * @param allowTwoPrimaries only true while a live migration is in progress (see {@link DrbdController#openDualPrimaryWindow})
 */
public record DrbdResourceConfig(String name, List<Host> hosts, List<Volume> volumes, String protocol, Map<String, String> netOptions,
                                 FencingPolicy fencing, String quorum, String onNoQuorum, Map<String, String> handlers,
                                 SplitBrainPolicy splitBrain, boolean allowTwoPrimaries) {

    /** Parameter names a {@code drbd} primitive accepts (besides {@code net.*}, {@code handler.*} and per-node {@code KEY@NODE}). */
    public static final List<String> PARAMS = List.of("drbd-resource", "hosts", "device", "disk", "meta-disk", "port", "protocol",
            "fencing", "quorum", "on-no-quorum", "after-sb-0pri", "after-sb-1pri", "after-sb-2pri", "split-brain-recovery", "config-dir");

    /**
     * @param node     the cluster node id
     * @param hostname what {@code hostname} prints on that node (DRBD matches {@code on} sections by it)
     * @param disk     the backing device on that host, per volume number
     */
    public record Host(String node, String hostname, int nodeId, String address, int port, Map<Integer, String> disk) {
        public Host {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(hostname, "hostname");
            Objects.requireNonNull(address, "address");
            disk = java.util.Collections.unmodifiableMap(new TreeMap<>(disk));
        }
    }

    /** A volume: its number, the DRBD device ({@code /dev/drbdN}) and where the metadata lives ({@code internal} or a device). */
    public record Volume(int number, String device, String metaDisk) {
        public Volume {
            Objects.requireNonNull(device, "device");
            metaDisk = metaDisk == null || metaDisk.isEmpty() ? "internal" : metaDisk;
        }
    }

    public DrbdResourceConfig {
        String field = "resources." + name;
        try {
            DrbdAdm.checkName(name);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(field + ".drbd-resource", e.getMessage(), "pick a name like r0 or vm1-disk");
        }
        hosts = List.copyOf(hosts);
        volumes = List.copyOf(volumes);
        if (hosts.size() < 2) throw new ConfigException(field + ".hosts", "needs at least 2 hosts, got " + hosts.size(), "list the nodes that replicate this disk");
        if (hosts.size() > 32) throw new ConfigException(field + ".hosts", "DRBD 9 supports at most 32 hosts, got " + hosts.size(), "use fewer replicas");
        if (volumes.isEmpty()) throw new ConfigException(field + ".device", "no volume", "set device and disk");
        Set<Integer> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (Host h : hosts) {
            if (h.nodeId() < 0 || h.nodeId() > 31 || !ids.add(h.nodeId())) {
                throw new ConfigException(field + ".node-id@" + h.node(), "node-id " + h.nodeId() + " is out of range or used twice", "give each host a distinct node-id 0..31");
            }
            if (!names.add(h.hostname())) throw new ConfigException(field + ".hostname@" + h.node(), "host name \"" + h.hostname() + "\" is used twice", "give each host its own hostname");
            if (!h.hostname().matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) throw new ConfigException(field + ".hostname@" + h.node(), "invalid host name \"" + h.hostname() + "\"", "use the output of hostname on that node");
            if (h.port() < 1 || h.port() > 65535) throw new ConfigException(field + ".port", "port must be 1..65535, got " + h.port(), "DRBD usually uses 7788 and up");
            if (!h.address().matches("[0-9A-Fa-f:.]+")) throw new ConfigException(field + ".address@" + h.node(), "\"" + h.address() + "\" is not an IP address", "give the replication IP of that node");
            for (Volume v : volumes) {
                String d = h.disk().get(v.number());
                if (d == null || d.isBlank()) throw new ConfigException(field + ".disk@" + h.node(), "no backing disk for volume " + v.number() + " on " + h.node(), "set disk (or disk@" + h.node() + ")");
                checkPath(field + ".disk@" + h.node(), d);
            }
        }
        for (Volume v : volumes) {
            checkPath(field + ".device", v.device());
            if (!v.device().matches("/dev/drbd\\d+")) throw new ConfigException(field + ".device", "\"" + v.device() + "\" is not a DRBD device", "use /dev/drbdN, N the minor number");
            if (!v.metaDisk().equals("internal")) checkPath(field + ".meta-disk", v.metaDisk());
        }
        protocol = protocol == null ? "C" : protocol;
        if (!protocol.equals("C")) throw new ConfigException(field + ".protocol", "protocol " + protocol + " can lose acknowledged writes on failover", "use protocol C");
        netOptions = java.util.Collections.unmodifiableMap(new TreeMap<>(netOptions));
        for (var e : netOptions.entrySet()) {
            if (!e.getKey().matches("[a-z0-9-]+") || MANAGED_NET.contains(e.getKey())) {
                throw new ConfigException(field + ".net." + e.getKey(), "net option is unknown or managed by Vigil", "remove it; Vigil sets protocol, fencing, after-sb-* and allow-two-primaries itself");
            }
            if (!e.getValue().matches("[A-Za-z0-9_.:/+=-]+")) throw new ConfigException(field + ".net." + e.getKey(), "value contains spaces or quotes", "give a single word");
        }
        fencing = fencing == null ? FencingPolicy.RESOURCE_ONLY : fencing;
        quorum = quorum == null || quorum.isEmpty() ? "off" : quorum;
        if (!quorum.matches("off|majority|all|\\d+")) throw new ConfigException(field + ".quorum", "invalid quorum \"" + quorum + "\"", "use off, majority, all or a number");
        onNoQuorum = onNoQuorum == null || onNoQuorum.isEmpty() ? "suspend-io" : onNoQuorum;
        if (!onNoQuorum.matches("suspend-io|io-error")) throw new ConfigException(field + ".on-no-quorum", "invalid \"" + onNoQuorum + "\"", "use suspend-io or io-error");
        handlers = java.util.Collections.unmodifiableMap(new TreeMap<>(handlers));
        for (var e : handlers.entrySet()) {
            if (!HANDLERS.contains(e.getKey())) throw new ConfigException(field + ".handler." + e.getKey(), "unknown DRBD handler", "use one of " + String.join(", ", HANDLERS));
            if (e.getValue().contains("\"") || e.getValue().contains("\n")) throw new ConfigException(field + ".handler." + e.getKey(), "command contains a quote or newline", "wrap it in a script");
        }
        splitBrain = splitBrain == null ? SplitBrainPolicy.MANUAL : splitBrain;
    }

    static final Set<String> MANAGED_NET = Set.of("protocol", "fencing", "after-sb-0pri", "after-sb-1pri", "after-sb-2pri", "allow-two-primaries");
    static final List<String> HANDLERS = List.of("fence-peer", "unfence-peer", "split-brain", "pri-lost-after-sb", "before-resync-target",
            "after-resync-target", "local-io-error", "quorum-lost", "disconnected");

    private static void checkPath(String field, String path) {
        if (!path.startsWith("/") || path.contains(" ") || path.contains(";") || path.contains("\"") || path.contains("{")) {
            throw new ConfigException(field, "\"" + path + "\" is not an absolute device path", "give a path like /dev/vg0/vm1-disk");
        }
    }

    public Host host(String node) {
        for (Host h : hosts) if (h.node().equals(node)) return h;
        throw new IllegalArgumentException("resource " + name + ": node " + node + " is not one of its hosts " + hosts.stream().map(Host::node).toList());
    }

    /** Hosts other than {@code node}. */
    public List<Host> peersOf(String node) {
        List<Host> out = new ArrayList<>();
        for (Host h : hosts) if (!h.node().equals(node)) out.add(h);
        return out;
    }

    public DrbdResourceConfig withAllowTwoPrimaries(boolean allow) {
        return new DrbdResourceConfig(name, hosts, volumes, protocol, netOptions, fencing, quorum, onNoQuorum, handlers, splitBrain, allow);
    }

    /**
     * Reads a {@code drbd} primitive's parameters: {@code hosts} = {@code node[=hostname]:address,...} (node-ids
     * follow the order unless {@code node-id@NODE} is given), {@code device}, {@code disk} (or {@code disk@NODE}),
     * {@code meta-disk}, {@code port}, {@code fencing}, {@code quorum}, {@code on-no-quorum}, {@code after-sb-0pri/1pri/2pri},
     * {@code split-brain-recovery}, {@code net.OPTION} and {@code handler.NAME}.
     */
    public static DrbdResourceConfig fromParams(String resourceId, Map<String, String> params) {
        String field = "resources." + resourceId;
        String name = params.getOrDefault("drbd-resource", resourceId);
        String hostsText = params.get("hosts");
        if (hostsText == null || hostsText.isBlank()) throw new ConfigException(field + ".hosts", "missing", "list node:address pairs, e.g. node1:10.0.0.1,node2:10.0.0.2");
        int port = parsePort(field, params.getOrDefault("port", "7789"));
        String device = params.get("device");
        if (device == null) throw new ConfigException(field + ".device", "missing", "set the DRBD device, e.g. /dev/drbd0");
        List<Host> hosts = new ArrayList<>();
        int index = 0;
        for (String item : hostsText.split(",")) {
            String it = item.strip();
            int colon = it.indexOf(':');
            if (colon <= 0 || colon == it.length() - 1) throw new ConfigException(field + ".hosts", "entry \"" + it + "\" is not node[=hostname]:address", "e.g. node1=host1.example:10.0.0.1");
            String left = it.substring(0, colon);
            String address = it.substring(colon + 1);
            String node = left.contains("=") ? left.substring(0, left.indexOf('=')) : left;
            String hostname = left.contains("=") ? left.substring(left.indexOf('=') + 1) : node;
            int nodeId = parseInt(field + ".node-id@" + node, params.getOrDefault("node-id@" + node, Integer.toString(index)));
            String disk = params.getOrDefault("disk@" + node, params.get("disk"));
            if (disk == null) throw new ConfigException(field + ".disk", "missing for node " + node, "set disk (or disk@" + node + ")");
            hosts.add(new Host(node, hostname, nodeId, address, port, Map.of(0, disk)));
            index++;
        }
        Map<String, String> net = new LinkedHashMap<>();
        Map<String, String> handlers = new LinkedHashMap<>();
        for (var e : params.entrySet()) {
            if (e.getKey().startsWith("net.")) net.put(e.getKey().substring(4), e.getValue());
            else if (e.getKey().startsWith("handler.")) handlers.put(e.getKey().substring(8), e.getValue());
        }
        SplitBrainPolicy sb = new SplitBrainPolicy(params.getOrDefault("after-sb-0pri", SplitBrainPolicy.MANUAL.afterSb0pri()),
                params.getOrDefault("after-sb-1pri", SplitBrainPolicy.MANUAL.afterSb1pri()),
                params.getOrDefault("after-sb-2pri", SplitBrainPolicy.MANUAL.afterSb2pri()),
                SplitBrainPolicy.Recovery.parse(field + ".split-brain-recovery", params.getOrDefault("split-brain-recovery", "manual")));
        return new DrbdResourceConfig(name, hosts, List.of(new Volume(0, device, params.get("meta-disk"))), params.get("protocol"), net,
                FencingPolicy.parse(field + ".fencing", params.getOrDefault("fencing", "resource-only")), params.get("quorum"),
                params.get("on-no-quorum"), handlers, sb, false);
    }

    /**
     * Like {@link #fromParams} for a {@code drbd} primitive of {@code config}; when it has no {@code hosts} parameter,
     * every member node becomes a host: host name from its {@code hostname} attribute (else its id), replication
     * address from its {@code drbd-address} attribute (else the host part of its cluster address).
     */
    public static DrbdResourceConfig fromCluster(ClusterConfig config, String primitiveId) {
        Primitive p = config.primitives().filter(x -> x.id().equals(primitiveId)).findFirst()
                .orElseThrow(() -> new ConfigException("resources." + primitiveId, "no such primitive", "check the resource id"));
        if (!"drbd".equals(p.type())) throw new ConfigException("resources." + primitiveId + ".type", "is " + p.type() + ", not drbd", "use a drbd primitive");
        Map<String, String> params = new LinkedHashMap<>(p.params());
        if (!params.containsKey("hosts")) {
            List<String> entries = new ArrayList<>();
            for (Node n : config.nodes()) {
                if (!n.runsResources()) continue;
                String host = n.attributes().getOrDefault("hostname", n.id());
                String addr = n.attributes().getOrDefault("drbd-address", hostPart(n.address()));
                entries.add(n.id() + "=" + host + ":" + addr);
            }
            params.put("hosts", String.join(",", entries));
        }
        return fromParams(primitiveId, params);
    }

    static String hostPart(String address) {
        if (address.startsWith("[")) return address.substring(1, address.indexOf(']'));
        int colon = address.lastIndexOf(':');
        return colon > 0 && address.indexOf(':') == colon ? address.substring(0, colon) : address;
    }

    private static int parsePort(String field, String text) {
        return parseInt(field + ".port", text);
    }

    private static int parseInt(String field, String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException(field, "\"" + text + "\" is not a number", "give an integer");
        }
    }
}
