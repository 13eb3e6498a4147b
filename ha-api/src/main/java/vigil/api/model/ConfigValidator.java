package vigil.api.model;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import vigil.api.ConfigException;
import vigil.api.spi.ParameterSpec;
import vigil.api.spi.ResourceMetadata;

/**
 * Checks a {@link ClusterConfig} before it is written: the first problem found is thrown as a
 * {@link ConfigException} naming the field, the value and the fix.
 */
public final class ConfigValidator {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:@-]*");
    /** Resource and fence device types: a driver name, never a path (no '/', no '..'). */
    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:@+-]*");
    /** Parameter, meta and attribute names ({@code [A-Za-z0-9_][A-Za-z0-9_.-]*}): they become agent environment variable names. */
    /** Longest id, type or name. */
    public static final int MAX_ID = 128;
    /** Longest parameter, meta or attribute value. */
    public static final int MAX_VALUE = 4096;
    /** Longest blob (e.g. a domain XML). */
    public static final int MAX_BLOB = 1 << 20;
    /** Longest operation interval or timeout, move lifetime, and other durations an administrator sets. */
    public static final Duration MAX_DURATION = Duration.ofDays(7);
    public static final Duration MAX_LIFETIME = Duration.ofDays(3650);
    private static final Set<String> OPERATIONS =
            Set.of("start", "stop", "monitor", "promote", "demote", "migrate_to", "migrate_from", "notify", "reload", "reload-agent", "validate-all");

    private final Function<String, Optional<ResourceMetadata>> metadata;

    /** @param metadata driver metadata by resource type, for required parameters; empty when the type's driver is not loaded here */
    public ConfigValidator(Function<String, Optional<ResourceMetadata>> metadata) {
        this.metadata = metadata;
    }

    /** A validator that checks structure and references, but not driver parameters. */
    public static ConfigValidator structural() { return new ConfigValidator(t -> Optional.empty()); }

    public void validate(ClusterConfig config) {
        Set<String> nodeIds = validateNodes(config.nodes());
        config.blobs().forEach((name, text) -> {
            checkId("blobs." + name, name);
            if (text.length() > MAX_BLOB) {
                throw new ConfigException("blobs." + name, "is " + text.length() + " characters long, more than " + MAX_BLOB, "keep blobs below 1 MiB");
            }
        });
        Map<String, Resource> byId = validateResources(config.resources());
        validateConstraints(config, nodeIds, byId);
        validateFencing(config);
        validateProperties(config.properties());
        validateTwoNode(config);
    }

    /**
     * Two-node mode lets one host continue alone, which is safe only when it has powered its peer off first: exactly two
     * members, no witness, stonith on, and a fence device for each member. A watchdog alone cannot settle a partition:
     * each half would count the other as reset once the watchdog time passed, and both would continue.
     */
    private static void validateTwoNode(ClusterConfig config) {
        ClusterProperties p = config.properties();
        String v = p.other().get(ClusterProperties.TWO_NODE);
        String f = "properties.other." + ClusterProperties.TWO_NODE;
        if (v == null) return;
        if (!v.equals("true") && !v.equals("false")) throw new ConfigException(f, "must be true or false, got \"" + v + "\"", "write true or false");
        if (!p.twoNode()) return;
        List<Node> witnesses = config.nodes().stream().filter(n -> !n.runsResources()).toList();
        if (!witnesses.isEmpty()) {
            throw new ConfigException(f, "the cluster has a witness (" + witnesses.get(0).id() + "), which already lets one host keep quorum",
                    "set two-node to false, or remove the witness");
        }
        if (config.nodes().size() != 2) {
            throw new ConfigException(f, "two-node mode needs exactly two members, the cluster has " + config.nodes().size(),
                    config.nodes().size() > 2 ? "set two-node to false: three or more members keep a majority without it" : "add the second host first");
        }
        if (!p.stonithEnabled()) {
            throw new ConfigException(f, "needs stonith-enabled: a host continues alone only after its peer was fenced",
                    "set properties.stonith-enabled to true and configure a fence device for each host");
        }
        for (Node n : config.nodes()) {
            List<FencingLevel> levels = config.fencingLevels().stream().filter(l -> l.node().equals(n.id())).toList();
            boolean fenceable = levels.isEmpty() ? config.fenceDevices().stream().anyMatch(d -> d.canFence(n.id()))
                    : levels.stream().anyMatch(l -> !l.devices().isEmpty());
            if (!fenceable) {
                throw new ConfigException("fence-devices", "two-node mode needs a fence device that can power off " + n.id()
                        + " (a watchdog alone cannot settle a split between the two hosts: both would wait it out and both continue)",
                        "add a fence device (ipmi, libvirt, apc-snmp or agent:fence_*) whose host-list or host-map includes " + n.id());
            }
        }
    }

    private Set<String> validateNodes(List<Node> nodes) {
        Set<String> ids = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (Node n : nodes) {
            String f = "nodes." + n.id();
            checkId(f + ".id", n.id());
            if (!ids.add(n.id())) throw new ConfigException(f, "duplicate node id \"" + n.id() + "\"", "give every node a unique id");
            checkAddress(f + ".address", n.address());
            checkValues(f + ".attributes", n.attributes());
            checkUtilization(f + ".attributes", n.attributes());
            if (!addresses.add(n.address())) {
                throw new ConfigException(f + ".address", "address " + n.address() + " is used by two nodes", "give every node its own host:port");
            }
        }
        return ids;
    }

    static void checkAddress(String field, String address) {
        checkValue(field, address);
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new ConfigException(field, "\"" + address + "\" is not host:port", "write e.g. 192.168.1.10:9870");
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65535) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new ConfigException(field, "port of \"" + address + "\" is not 1-65535", "write e.g. 192.168.1.10:9870");
        }
    }

    private Map<String, Resource> validateResources(List<Resource> resources) {
        Map<String, Resource> byId = new HashMap<>();
        for (Resource r : resources) {
            register(byId, r);
            if (r instanceof Primitive p) {
                validatePrimitive(p);
            } else if (r instanceof Group g) {
                validateGroup(byId, g);
            } else if (r instanceof Clone c) {
                validateMeta("resources." + c.id(), c.meta());
                register(byId, c.child());
                if (c.child() instanceof Primitive p) validatePrimitive(p);
                else if (c.child() instanceof Group g) validateGroup(byId, g);
                if (c.meta().cloneNodeMax() < 1) {
                    throw new ConfigException("resources." + c.id() + ".meta.clone-node-max", "must be >= 1, got " + c.meta().cloneNodeMax(), "set 1 or more");
                }
            }
        }
        return byId;
    }

    private void validateGroup(Map<String, Resource> byId, Group g) {
        if (g.members().isEmpty()) {
            throw new ConfigException("resources." + g.id() + ".members", "a group needs at least one member", "add a primitive or delete the group");
        }
        validateMeta("resources." + g.id(), g.meta());
        for (Primitive p : g.members()) {
            register(byId, p);
            validatePrimitive(p);
        }
    }

    private static void register(Map<String, Resource> byId, Resource r) {
        checkId("resources." + r.id() + ".id", r.id());
        if (byId.putIfAbsent(r.id(), r) != null) {
            throw new ConfigException("resources." + r.id(), "duplicate resource id \"" + r.id() + "\"", "give every resource, group and clone a unique id");
        }
    }

    private void validatePrimitive(Primitive p) {
        String f = "resources." + p.id();
        if (p.type().isBlank()) throw new ConfigException(f + ".type", "type is empty", "name a driver such as ocf:heartbeat:Dummy, kvm or drbd");
        checkType(f + ".type", p.type(), "name a driver such as ocf:heartbeat:Dummy, kvm or drbd");
        if (p.remoteNode().isPresent() || p.meta().values().containsKey(Meta.REMOTE_NODE)) {
            throw new ConfigException(p.remoteNode().isPresent() ? f + ".type" : f + ".meta." + Meta.REMOTE_NODE,
                    "Pacemaker Remote and guest nodes are only planned for imported CIBs (simulate); Vigil runs resources only on its members",
                    "run the service on a member node, or make the host a member with 'vigil join'");
        }
        checkValues(f + ".params", p.params());
        validateMeta(f, p.meta());
        Set<String> seen = new HashSet<>();
        for (Operation op : p.operations()) {
            String of = f + ".operations." + op.name();
            if (!OPERATIONS.contains(op.name())) {
                throw new ConfigException(of, "unknown operation \"" + op.name() + "\"", "use one of " + new TreeSet<>(OPERATIONS));
            }
            if (op.interval().isNegative()) throw new ConfigException(of + ".interval", "must not be negative, got " + op.interval(), "use 0 or a positive duration");
            if (op.timeout().isNegative() || op.timeout().isZero()) {
                throw new ConfigException(of + ".timeout", "must be positive, got " + op.timeout(), "e.g. 20s");
            }
            checkAtMost(of + ".interval", op.interval(), MAX_DURATION);
            checkAtMost(of + ".timeout", op.timeout(), MAX_DURATION);
            if (!seen.add(op.name() + "/" + op.interval() + "/" + op.role())) {
                throw new ConfigException(of, "operation defined twice with the same interval", "give each monitor its own interval");
            }
        }
        Optional<ResourceMetadata> md = metadata.apply(p.type());
        if (md.isPresent()) {
            for (ParameterSpec spec : md.get().parameters()) {
                if (spec.required() && !p.params().containsKey(spec.name())) {
                    throw new ConfigException(f + ".params." + spec.name(), "required parameter of " + p.type() + " is missing",
                            "add " + spec.name() + (spec.description().isEmpty() ? "" : " (" + spec.description() + ")"));
                }
            }
        }
    }

    /** The meta attributes {@link #validateMeta} checks beyond name and value (the cases of its switch). */
    private static final Set<String> CHECKED_META = Set.of(Meta.STICKINESS, Meta.PRIORITY, Meta.MIGRATION_THRESHOLD, Meta.FAILURE_TIMEOUT,
            Meta.ALLOW_MIGRATE, Meta.IS_MANAGED, Meta.INTERLEAVE, Meta.ORDERED, Meta.MAINTENANCE, "notify", "globally-unique", Meta.TARGET_ROLE,
            Meta.CLONE_MAX, Meta.CLONE_NODE_MAX, Meta.PROMOTED_MAX, Meta.PROMOTED_NODE_MAX, "master-max", "master-node-max", Meta.MULTIPLE_ACTIVE);

    private static void validateMeta(String resourceField, Meta meta) {
        checkValues(resourceField + ".meta", meta.values());
        checkUtilization(resourceField + ".meta", meta.values());
        for (var e : meta.values().entrySet()) {
            // every committed change validates the whole config: other attributes cost nothing more here
            if (!CHECKED_META.contains(e.getKey())) continue;
            String f = resourceField + ".meta." + e.getKey();
            String v = e.getValue();
            switch (e.getKey()) {
                case Meta.STICKINESS, Meta.PRIORITY -> Score.parseChecked(f, v);
                case Meta.MIGRATION_THRESHOLD -> {
                    int t = Score.parseChecked(f, v).value();
                    if (t < 0) throw new ConfigException(f, "must be >= 0, got " + v, "set a non-negative failure count (0 or INFINITY: no threshold)");
                }
                case Meta.FAILURE_TIMEOUT -> {
                    Duration d = Durations.parse(f, v);
                    if (d.isNegative()) throw new ConfigException(f, "must not be negative, got " + v, "use 0 (never expire) or e.g. 10min");
                    checkAtMost(f, d, MAX_LIFETIME);
                }
                case Meta.ALLOW_MIGRATE, Meta.IS_MANAGED, Meta.INTERLEAVE, Meta.ORDERED, Meta.MAINTENANCE, "notify", "globally-unique" -> {
                    if (!v.matches("(?i)true|false|yes|no|on|off|1|0|y|n")) throw new ConfigException(f, "not a boolean: \"" + v + "\"", "use true or false");
                }
                case Meta.TARGET_ROLE -> Role.parse(f, v);
                case Meta.CLONE_MAX, Meta.CLONE_NODE_MAX, Meta.PROMOTED_MAX, Meta.PROMOTED_NODE_MAX, "master-max", "master-node-max" -> {
                    int n;
                    try {
                        n = Integer.parseInt(v.trim());
                    } catch (NumberFormatException ex) {
                        throw new ConfigException(f, "not an integer: \"" + v + "\"", "give a count such as 1 or 2");
                    }
                    if (n < 0) throw new ConfigException(f, "must be >= 0, got " + n, "give a count such as 1 or 2");
                }
                case Meta.MULTIPLE_ACTIVE -> {
                    if (!Set.of("block", "stop_only", "stop_start", "stop_unexpected").contains(v)) {
                        throw new ConfigException(f, "unknown value \"" + v + "\"", "use block, stop_only, stop_start or stop_unexpected");
                    }
                }
                default -> { }
            }
        }
    }

    private void validateConstraints(ClusterConfig config, Set<String> nodeIds, Map<String, Resource> byId) {
        Set<String> ids = new HashSet<>();
        Map<String, Set<String>> mandatory = new TreeMap<>();
        for (Constraint c : config.constraints()) {
            String f = "constraints." + c.id();
            checkId(f + ".id", c.id());
            if (!ids.add(c.id())) throw new ConfigException(f, "duplicate constraint id \"" + c.id() + "\"", "give every constraint a unique id");
            if (c instanceof Constraint.Location l) {
                Resource r = resource(byId, f + ".resource", l.resource());
                if (!nodeIds.contains(l.node())) {
                    throw new ConfigException(f + ".node", "unknown node \"" + l.node() + "\"", "use one of " + new TreeSet<>(nodeIds));
                }
                checkRole(f + ".role", l.role(), r);
            } else if (c instanceof Constraint.Colocation co) {
                Resource r = resource(byId, f + ".resource", co.resource());
                Resource w = resource(byId, f + ".with-resource", co.withResource());
                if (co.resource().equals(co.withResource())) {
                    throw new ConfigException(f + ".with-resource", "a resource cannot be colocated with itself", "name another resource");
                }
                checkRole(f + ".role", co.role(), r);
                checkRole(f + ".with-role", co.withRole(), w);
            } else if (c instanceof Constraint.Order o) {
                Resource first = resource(byId, f + ".first", o.first());
                Resource then = resource(byId, f + ".then", o.then());
                if (o.first().equals(o.then())) throw new ConfigException(f + ".then", "a resource cannot be ordered after itself", "name another resource");
                checkAction(f + ".first-action", o.firstAction(), first);
                checkAction(f + ".then-action", o.thenAction(), then);
                if (o.kind() == OrderKind.MANDATORY) mandatory.computeIfAbsent(o.first(), k -> new TreeSet<>()).add(o.then());
            }
        }
        List<String> cycle = findCycle(mandatory);
        if (!cycle.isEmpty()) {
            throw new ConfigException("constraints", "mandatory orders form a cycle: " + String.join(" -> ", cycle),
                    "remove one of these orders or make it Optional");
        }
    }

    private static Resource resource(Map<String, Resource> byId, String field, String id) {
        Resource r = byId.get(id);
        if (r == null) {
            throw new ConfigException(field, "unknown resource \"" + id + "\"", byId.isEmpty() ? "create the resource first"
                    : "use one of " + new TreeSet<>(byId.keySet()));
        }
        return r;
    }

    private static void checkRole(String field, Role role, Resource r) {
        if ((role == Role.PROMOTED || role == Role.UNPROMOTED) && !(r instanceof Clone c && c.promotable())) {
            throw new ConfigException(field, "role " + role + " needs a promotable clone, but \"" + r.id() + "\" is not one",
                    "name the promotable clone, or drop the role");
        }
    }

    private static void checkAction(String field, Action action, Resource r) {
        if ((action == Action.PROMOTE || action == Action.DEMOTE) && !(r instanceof Clone c && c.promotable())) {
            throw new ConfigException(field, "action " + action + " needs a promotable clone, but \"" + r.id() + "\" is not one",
                    "use start or stop, or name the promotable clone");
        }
    }

    /** A cycle in the graph as a closed path (first node repeated at the end), or empty. Deterministic: sorted traversal. */
    static List<String> findCycle(Map<String, Set<String>> edges) {
        Map<String, Integer> state = new HashMap<>(); // 1 = on stack, 2 = done
        for (String start : edges.keySet()) {
            if (state.containsKey(start)) continue;
            Deque<String> path = new ArrayDeque<>();
            List<String> found = dfs(start, edges, state, path);
            if (!found.isEmpty()) return found;
        }
        return List.of();
    }

    private static List<String> dfs(String node, Map<String, Set<String>> edges, Map<String, Integer> state, Deque<String> path) {
        state.put(node, 1);
        path.addLast(node);
        for (String next : edges.getOrDefault(node, Set.of())) {
            Integer s = state.get(next);
            if (s != null && s == 1) {
                List<String> onPath = List.copyOf(path);
                List<String> cycle = new java.util.ArrayList<>(onPath.subList(onPath.indexOf(next), onPath.size()));
                cycle.add(next);
                return cycle;
            }
            if (s == null) {
                List<String> found = dfs(next, edges, state, path);
                if (!found.isEmpty()) return found;
            }
        }
        path.removeLast();
        state.put(node, 2);
        return List.of();
    }

    private static void validateFencing(ClusterConfig config) {
        Set<String> ids = new HashSet<>();
        for (FenceDevice d : config.fenceDevices()) {
            String f = "fence-devices." + d.id();
            checkId(f + ".id", d.id());
            if (!ids.add(d.id())) throw new ConfigException(f, "duplicate fence device id \"" + d.id() + "\"", "give every device a unique id");
            if (d.type().isBlank()) throw new ConfigException(f + ".type", "type is empty", "use ipmi, libvirt, apc-snmp or agent:fence_<name> (watchdog self-fencing needs no device: set watchdog-timeout and each node's watchdog device)");
            checkType(f + ".type", d.type(), "use ipmi, libvirt, apc-snmp or agent:fence_<name>");
            // a fence agent reads its parameters as key=value lines: a value with a line break would add parameters
            checkValues(f + ".params", d.params());
            checkAtMost(f + ".delay", d.delay(), MAX_DURATION);
            // A device may name hosts that are not members (as Pacemaker's pcmk_host_list / pcmk_host_map may): it describes
            // the hardware, which outlives a 'node remove', and fences a host again when a node of that id re-joins. A member
            // no device can fence is shown as a status warning instead.
            for (String h : d.hostList()) checkId(f + ".host-list", h);
            for (String h : d.hostMap().keySet()) checkId(f + ".host-map", h);
            checkValues(f + ".host-map", d.hostMap());
            if (d.delay().isNegative()) throw new ConfigException(f + ".delay", "must not be negative", "use 0 or e.g. 15s");
        }
        Set<String> levels = new HashSet<>();
        for (FencingLevel l : config.fencingLevels()) {
            String f = "fencing-topology." + l.node() + "." + l.index();
            checkId(f + ".node", l.node()); // like a device's hosts, a level may name a node that is not (or no longer) a member
            if (l.index() < 1) throw new ConfigException(f + ".index", "must be >= 1, got " + l.index(), "number levels from 1");
            if (!levels.add(l.node() + "/" + l.index())) throw new ConfigException(f, "level defined twice", "give each level of a node its own index");
            if (l.devices().isEmpty()) throw new ConfigException(f + ".devices", "a level needs at least one device", "list the devices that must all succeed");
            for (String dev : l.devices()) {
                if (!ids.contains(dev)) throw new ConfigException(f + ".devices", "unknown fence device \"" + dev + "\"", "use one of " + new TreeSet<>(ids));
            }
        }
    }

    private static void validateProperties(ClusterProperties p) {
        checkAtMost("properties.node-timeout", p.nodeTimeout(), MAX_DURATION);
        checkAtMost("properties.watchdog-timeout", p.watchdogTimeout(), MAX_DURATION);
        checkAtMost("properties.fence-timeout", p.fenceTimeout(), MAX_DURATION);
        checkAtMost("properties.move-lifetime", p.moveLifetime(), MAX_LIFETIME);
        checkValues("properties", p.other());
        if (p.nodeTimeout().compareTo(Duration.ofMillis(100)) < 0) {
            throw new ConfigException("properties.node-timeout", "must be at least 100ms, got " + Durations.format(p.nodeTimeout()), "e.g. 1s");
        }
        if (p.watchdogTimeout().isNegative()) throw new ConfigException("properties.watchdog-timeout", "must not be negative", "use 0 (no watchdog) or e.g. 5s");
        if (p.moveLifetime().isNegative() || p.moveLifetime().isZero()) {
            throw new ConfigException("properties.move-lifetime", "must be positive", "e.g. 1h");
        }
        if (p.fenceTimeout().isNegative() || p.fenceTimeout().isZero()) throw new ConfigException("properties.fence-timeout", "must be positive", "e.g. 60s");
        if (p.clusterRecheckInterval().isNegative()) {
            throw new ConfigException("properties." + ClusterProperties.CLUSTER_RECHECK_INTERVAL, "must not be negative", "use e.g. 1min, or 0 for never");
        }
        // the further properties Vigil itself reads, so that a typo in their value is an error, not the default
        String strategy = p.other().get("placement-strategy");
        if (strategy != null && !Set.of("default", "utilization", "balanced", "minimal").contains(strategy)) {
            throw new ConfigException("properties.other.placement-strategy", "unknown value \"" + strategy + "\"", "use default, utilization, balanced or minimal");
        }
        for (String key : List.of("fence-monitor-interval", "startup-grace", ClusterProperties.PRIORITY_FENCING_DELAY)) {
            String v = p.other().get(key);
            if (v == null) continue;
            Duration d = Durations.parse("properties.other." + key, v);
            if (d.isNegative()) throw new ConfigException("properties.other." + key, "must not be negative, got " + v, "e.g. 60s, or 0 to turn it off");
        }
    }

    /** Capacities (node attributes) and needs (resource meta) named {@code utilization.NAME} are whole numbers >= 0. */
    private static void checkUtilization(String field, Map<String, String> values) {
        values.forEach((k, v) -> {
            if (!k.startsWith(Meta.UTILIZATION)) return;
            if (k.length() == Meta.UTILIZATION.length()) throw new ConfigException(field + "." + k, "names no capacity", "e.g. utilization.cpu or utilization.memory");
            if (!v.trim().matches("[0-9]{1,9}")) throw new ConfigException(field + "." + k, "must be a whole number >= 0, got \"" + v + "\"", "e.g. 2 (cpus) or 4096 (MiB)");
        });
    }

    private static void checkId(String field, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new ConfigException(field, "invalid id \"" + printable(id) + "\"", "use letters, digits and _ . : @ - (not starting with - . : @)");
        }
        if (id.length() > MAX_ID) throw new ConfigException(field, "id is " + id.length() + " characters long", "use at most " + MAX_ID);
    }

    private static void checkType(String field, String type, String fix) {
        if (!TYPE.matcher(type).matches() || type.contains("..") || type.length() > MAX_ID) {
            throw new ConfigException(field, "invalid type \"" + printable(type) + "\": a type names a driver, it is no path", fix
                    + " (letters, digits and _ . : @ + -, at most " + MAX_ID + ", no '..')");
        }
    }

    /** Names and values that reach agents as environment variables or stdin lines: bounded, no control characters. */
    private static void checkValues(String field, Map<String, String> values) {
        // runs for every attribute at every committed change: the field name is only built for an error
        for (var e : values.entrySet()) {
            if (!isName(e.getKey())) {
                throw new ConfigException(field + "." + printable(e.getKey()), "invalid name \"" + printable(e.getKey()) + "\"",
                        "use letters, digits and _ . - (not starting with . or -), at most " + MAX_ID);
            }
            if (!isPlainValue(e.getValue())) checkValue(field + "." + printable(e.getKey()), e.getValue());
        }
    }

    private static boolean isPlainValue(String value) {
        if (value.length() > MAX_VALUE) return false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) return false;
        }
        return true;
    }

    /** A parameter, meta or attribute name, checked without a regex: it runs for every meta attribute at every committed change. */
    private static boolean isName(String name) {
        if (name.isEmpty() || name.length() > MAX_ID) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean word = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
            if (!word && (i == 0 || c != '.' && c != '-')) return false;
        }
        return true;
    }

    private static void checkValue(String field, String value) {
        if (value.length() > MAX_VALUE) {
            throw new ConfigException(field, "value is " + value.length() + " characters long", "use at most " + MAX_VALUE + " (large text belongs in a blob)");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new ConfigException(field, "value holds a control character (code " + (int) c + " at position " + i + ")",
                        "remove line breaks and other control characters");
            }
        }
    }

    private static void checkAtMost(String field, Duration d, Duration max) {
        if (d.compareTo(max) > 0) {
            throw new ConfigException(field, "must be at most " + Durations.format(max) + ", got " + Durations.format(d), "use a shorter duration");
        }
    }

    /** Input quoted in an error: at most 64 printable characters. */
    private static String printable(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c != 0x7f ? c : '?');
        }
        return s.length() > 64 ? b + "..." : b.toString();
    }
}
