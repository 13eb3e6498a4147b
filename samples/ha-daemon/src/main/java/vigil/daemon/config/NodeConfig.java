package vigil.daemon.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import vigil.api.ConfigException;
import vigil.api.model.NodeRole;

/**
 * What one daemon needs to start: who it is, where it keeps its Raft log, where it listens, the token file that
 * guards the admin API, and the cluster's members (their Raft and admin addresses). {@code vigil init} and
 * {@code vigil join} write it; {@code vigil daemon --config FILE} reads it.
 *
 * @param node        this node's id (a key of {@code peers})
 * @param role        member (runs resources) or witness (only votes)
 * @param dataDir     Raft log and snapshots
 * @param tokenFile   file holding the cluster token (admin API calls must present it)
 * @param http        host:port of the web status page and /metrics; empty: not served
 * @param peers       every member and witness of the cluster, in order, this node included
 * @param clusterFile optional cluster config (YAML) applied when the cluster is bootstrapped
 * @param cluster     the cluster's name and id (its Raft group id, random per cluster, made by {@code vigil init})
 * @param pkiDir      the node's TLS files: {@code ca.crt}, {@code node.crt}, {@code node.key} (and {@code ca.key});
 *                    null only with {@code insecure}
 * @param insecure    plaintext on every port (a lab switch that status shows as a warning)
 * @param joined      written by {@code vigil join}: the daemon asks the members to admit it until it is a voter
 * @param watchdog    optional watchdog device ({@code /dev/watchdog}) the node arms with the cluster's watchdog-timeout
 *                    and feeds while it hears a quorate leader; null: none (the node is never counted as self-fenced)
 */
public record NodeConfig(String node, NodeRole role, Path dataDir, Path tokenFile, String http, Map<String, Peer> peers, Path clusterFile,
                         ClusterId cluster, Path pkiDir, boolean insecure, boolean joined, Path watchdog) {

    /** A node without a watchdog device. */
    public NodeConfig(String node, NodeRole role, Path dataDir, Path tokenFile, String http, Map<String, Peer> peers, Path clusterFile,
                      ClusterId cluster, Path pkiDir, boolean insecure, boolean joined) {
        this(node, role, dataDir, tokenFile, http, peers, clusterFile, cluster, pkiDir, insecure, joined, null);
    }

    /** A cluster's name and its id (null: derived from the name, as for clusters made before ids were random). */
    public record ClusterId(String name, java.util.UUID id) {
        public static final ClusterId DEFAULT = new ClusterId("vigil", null);

        public ClusterId {
            name = name == null ? "vigil" : name;
        }
    }

    /** A cluster member's addresses: {@code raft} for replication, {@code admin} for the gRPC admin API; its role. */
    public record Peer(String raft, String admin, NodeRole role) {
        public Peer {
            Objects.requireNonNull(raft, "raft");
            Objects.requireNonNull(admin, "admin");
            role = role == null ? NodeRole.MEMBER : role;
        }

        public Peer(String raft, String admin) { this(raft, admin, NodeRole.MEMBER); }
    }

    public NodeConfig {
        Objects.requireNonNull(node, "node");
        cluster = cluster == null ? ClusterId.DEFAULT : cluster;
        if (pkiDir == null && !insecure) throw new ConfigException("pki-dir", "no TLS files given", "set pki-dir (written by vigil init / join), or insecure: true for a lab");
        role = role == null ? NodeRole.MEMBER : role;
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(tokenFile, "tokenFile");
        http = http == null ? "" : http;
        peers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(peers));
    }

    public Peer self() { return peers.get(node); }

    /** Admin addresses of every peer, this node first: what a client on this host tries, in order. */
    public List<String> adminTargets() {
        List<String> out = new ArrayList<>();
        out.add(self().admin());
        peers.forEach((id, p) -> { if (!id.equals(node)) out.add(p.admin()); });
        return out;
    }

    public NodeConfig withPeer(String id, Peer peer) {
        Map<String, Peer> m = new LinkedHashMap<>(peers);
        m.put(id, peer);
        return new NodeConfig(node, role, dataDir, tokenFile, http, m, clusterFile, cluster, pkiDir, insecure, joined, watchdog);
    }

    public static NodeConfig read(Path file) {
        return parse(file.getFileName().toString(), ConfigYaml.readText(file), file.toAbsolutePath().getParent());
    }

    /** Parses a node config; relative paths are resolved against {@code baseDir}. */
    public static NodeConfig parse(String source, String text, Path baseDir) {
        YamlTree.Mapping root = YamlTree.parse(source, text);
        try {
            root.allow("node", "role", "data-dir", "token-file", "http", "peers", "cluster-config", "cluster-name", "cluster-id", "pki-dir", "insecure", "joined", "watchdog");
            String node = root.string("node");
            String roleText = root.string("role", null);
            Map<String, Peer> peers = new LinkedHashMap<>();
            YamlTree.Mapping pm = root.mapping("peers");
            for (String id : pm.keys()) {
                YamlTree.Mapping p = pm.mapping(id).allow("raft", "admin", "role");
                String raft = p.string("raft");
                String admin = p.string("admin");
                checkHostPort(p.field("raft"), raft);
                checkHostPort(p.field("admin"), admin);
                peers.put(id, new Peer(raft, admin, role(p.field("role"), p.string("role", "member"))));
            }
            if (!peers.containsKey(node)) {
                throw new ConfigException("peers", "this node \"" + node + "\" is not among the peers " + peers.keySet(),
                        "add '" + node + ": {raft: host:port, admin: host:port}' under peers");
            }
            NodeRole role = roleText == null ? peers.get(node).role() : role("role", roleText);
            if (role != peers.get(node).role()) {
                throw new ConfigException("role", "this node is a " + role.name().toLowerCase(Locale.ROOT) + " but its peers entry says "
                        + peers.get(node).role().name().toLowerCase(Locale.ROOT), "make role and peers." + node + ".role agree");
            }
            String http = root.string("http", "");
            if (!http.isEmpty()) checkHostPort("http", http);
            Path base = baseDir == null ? Path.of("") : baseDir;
            Path cluster = root.has("cluster-config") ? base.resolve(root.string("cluster-config")) : null;
            java.util.UUID id = null;
            if (root.has("cluster-id")) {
                try {
                    id = java.util.UUID.fromString(root.string("cluster-id"));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("cluster-id", "\"" + root.string("cluster-id") + "\" is not a UUID", "copy it from the node.yaml of a member (vigil init made it)");
                }
            }
            boolean insecure = root.has("insecure") && bool("insecure", root.string("insecure"));
            boolean joined = root.has("joined") && bool("joined", root.string("joined"));
            if (!insecure && !root.has("pki-dir")) {
                throw new ConfigException("pki-dir", "no TLS files given", "set pki-dir to the directory vigil init / join wrote (ca.crt, node.crt, node.key), or insecure: true for a lab");
            }
            Path pki = root.has("pki-dir") ? base.resolve(root.string("pki-dir")) : null;
            Path watchdog = root.has("watchdog") ? base.resolve(root.string("watchdog")) : null;
            return new NodeConfig(node, role, base.resolve(root.string("data-dir")), base.resolve(root.string("token-file")), http, peers, cluster,
                    new ClusterId(root.string("cluster-name", "vigil"), id), pki, insecure, joined, watchdog);
        } catch (ConfigException e) {
            throw new YamlConfigException(source, root.tree().lineOf(e.field()), e.field(), e.problem() + (e.fix().isEmpty() ? "" : " (" + e.fix() + ")"));
        }
    }

    private static boolean bool(String field, String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true": return true;
            case "false": return false;
            default: throw new ConfigException(field, "\"" + text + "\" is not true or false", "write true or false");
        }
    }

    private static NodeRole role(String field, String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "member": return NodeRole.MEMBER;
            case "witness": return NodeRole.WITNESS;
            default: throw new ConfigException(field, "unknown role \"" + text + "\"", "use member (runs resources) or witness (only votes)");
        }
    }

    static void checkHostPort(String field, String value) {
        int colon = value.lastIndexOf(':');
        boolean ok = colon > 0 && colon < value.length() - 1;
        if (ok) {
            try {
                int port = Integer.parseInt(value.substring(colon + 1));
                ok = port >= 1 && port <= 65535;
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) throw new ConfigException(field, "\"" + value + "\" is not host:port", "write e.g. 192.168.1.10:9870");
    }

    public String format() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", node);
        m.put("role", role.name().toLowerCase(Locale.ROOT));
        m.put("cluster-name", cluster.name());
        if (cluster.id() != null) m.put("cluster-id", cluster.id().toString());
        if (pkiDir != null) m.put("pki-dir", pkiDir.toString());
        if (insecure) m.put("insecure", true);
        if (joined) m.put("joined", true);
        m.put("data-dir", dataDir.toString());
        m.put("token-file", tokenFile.toString());
        if (!http.isEmpty()) m.put("http", http);
        if (clusterFile != null) m.put("cluster-config", clusterFile.toString());
        if (watchdog != null) m.put("watchdog", watchdog.toString());
        Map<String, Object> ps = new LinkedHashMap<>();
        peers.forEach((id, p) -> {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("raft", p.raft());
            pm.put("admin", p.admin());
            if (p.role() == NodeRole.WITNESS) pm.put("role", "witness");
            ps.put(id, pm);
        });
        m.put("peers", ps);
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return "# Vigil node daemon configuration (written by vigil init / join; see README)\n" + new Yaml(o).dump(m);
    }
}
