package vigil.engine.cib;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import vigil.api.VigilException;
import vigil.api.model.Action;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Clone;
import vigil.api.model.Constraint;
import vigil.api.model.Durations;
import vigil.api.model.FenceDevice;
import vigil.api.model.Group;
import vigil.api.model.Meta;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.model.OnFail;
import vigil.api.model.Operation;
import vigil.api.model.OrderKind;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.api.status.NodeState;
import vigil.api.status.OcfCode;
import vigil.api.status.OperationRecord;
import vigil.api.status.ResourceState;

/**
 * Reads a Pacemaker CIB (the XML {@code cibadmin -Q} prints and {@code crm_simulate -x} reads) into a
 * {@link ClusterState}, following "Pacemaker Explained" (Pacemaker 2.1). Pure apart from reading the file:
 * the clock is only consulted through {@code fallbackNow} when the CIB has no {@code execution-date}.
 *
 * <p>Node ids are the nodes' unames (Pacemaker shows unames, and the numeric ids are cluster-layer details);
 * each node gets the synthetic address {@code <uname>:9870}. Clone instance suffixes ({@code drbd:1}) of anonymous
 * clones are dropped: Vigil keeps the status of such a clone's primitive per node; a globally-unique clone's
 * instances keep theirs. rsc_defaults and op_defaults sets limited by a rule of resource and operation expressions
 * apply to the primitives and operations they match. {@code stonith} primitives become fence devices
 * ({@code agent:<type>}, host list and map from {@code pcmk_host_list} / {@code pcmk_host_map}).
 *
 * <p>Everything the import cannot represent is an error naming the element. Ignored on purpose, because it does
 * not change where resources run or what the transition contains:
 * <ul>
 * <li>{@code description} attributes, {@code op_defaults} other than timeout;</li>
 * <li>{@code op} children ({@code instance_attributes} such as OCF_CHECK_LEVEL), {@code op} attributes other than
 *     name, interval, timeout, role, on-fail, enabled;</li>
 * <li>{@code rsc_location resource-discovery} always / never (affect probes only, which a transition summary does not
 *     list; exclusive also keeps the resource off the nodes its exclusive locations do not name);</li>
 * <li>{@code instance_attributes} sets with a rule on primitives (node-specific agent parameters);</li>
 * <li>status of stonith resources (Vigil does not run fence devices as resources), {@code probe_complete},
 *     and the digests, exec and queue times of operations;</li>
 * <li>crm_config properties Vigil does not model; they are kept verbatim in {@code ClusterProperties.other};</li>
 * <li>a {@code node_state} of a node missing from the configuration (Pacemaker ignores it too), and a
 *     {@code fencing-level} or an {@code rsc_location} whose node is not a node of the configuration (it can never
 *     apply).</li>
 * </ul>
 * Node and primitive {@code utilization} sets become {@code utilization.NAME} node attributes and meta attributes
 * (see {@code Meta.UTILIZATION}).
 * The {@code shutdown} node attribute (a node being stopped cleanly) is imported as the node's announced shutdown:
 * like standby, every resource moves off it, and its reason says it is shutting down.
 */
public final class CibImporter {
    private static final Logger LOG = LoggerFactory.getLogger(CibImporter.class);
    public static final int ADDRESS_PORT = 9870;
    private static final Set<String> CLONE_ELEMENTS = Set.of("clone", "master");
    private static final int KEEP_OPERATIONS = 16;
    private static final Pattern P_WITHOUT_T = Pattern.compile("[Pp][0-9]+[HMShms]");
    private static final Pattern DECIMAL = Pattern.compile("\\s*[-+]?[0-9]+\\.[0-9]*\\s*");
    private static final Pattern INSTANCE = Pattern.compile("[0-9]+");

    private final Document doc;
    /** The CIB was written before fail counts were kept per operation. */
    private boolean legacyFailCounts;
    private final Instant fallbackNow;
    /** The instant date expressions are evaluated at: the CIB's execution-date, else {@code fallbackNow}. */
    private Instant now;
    private final Map<String, Element> byId = new HashMap<>();
    private final List<String> nodeNames = new ArrayList<>();
    /** Pacemaker Remote nodes: named by their connection resources (and maybe a {@code <node type="remote">} entry). */
    private final Set<String> remoteNodeNames = new LinkedHashSet<>();
    private final Set<String> remoteConnections = new HashSet<>();
    private final Set<String> connectionlessRemoteNodes = new HashSet<>();
    /** The implicit connections of guest nodes, in the order their VMs are configured: they follow every resource. */
    private final List<Primitive> guestConnections = new ArrayList<>();
    /** Primitives and groups with a container meta attribute (element -> container id), checked once all are read. */
    private final Map<Element, String> containedPrimitives = new LinkedHashMap<>();
    private final Map<String, String> nodeNameById = new HashMap<>();
    private final Set<String> fenceDeviceIds = new java.util.HashSet<>();
    /** Stonith primitives: each is a resource (placed and monitored like any) and one of Vigil's fence devices. */
    private final List<FenceDevice> stonithDevices = new ArrayList<>();
    /** primitive id -> whether it is the child (or group member) of a promotable clone. */
    private final Map<String, Boolean> primitives = new HashMap<>();
    /** Primitives of globally-unique clones: their status stays per instance ({@code rsc:2}). */
    private final Set<String> uniqueInstances = new java.util.HashSet<>();
    /** every configured resource id (primitives, groups, clones) -> element. */
    private final Map<String, Element> resourceElements = new HashMap<>();
    private final List<Tickets.Dependency> ticketDependencies = new ArrayList<>();
    /** template id -> the primitives based on it, which a location or ticket naming the template applies to. */
    private final Map<String, List<String>> templateMembers = new HashMap<>();
    /** tag id -> its obj_ref elements. */
    private final Map<String, List<Element>> tagRefs = new HashMap<>();
    private final Map<String, Tickets.State> ticketStates = new HashMap<>();

    private CibImporter(Document doc, Instant fallbackNow) {
        this.doc = doc;
        this.fallbackNow = fallbackNow;
    }

    /** The largest CIB read (Pacemaker's own are a few MB even for thousands of resources). */
    public static final long MAX_BYTES = 64L << 20;

    /** Imports {@code file}; {@code fallbackNow} is the state's time when the CIB has no execution-date. */
    public static ClusterState read(Path file, Instant fallbackNow) {
        try (InputStream in = Files.newInputStream(file)) {
            if (Files.size(file) > MAX_BYTES) {
                throw CibException.invalid(file.toString(), "the file is " + Files.size(file) + " bytes, more than the " + MAX_BYTES + " a CIB may have");
            }
            return parse(in, file.toString(), fallbackNow);
        } catch (IOException e) {
            throw new VigilException(file + ": cannot read the CIB: " + e.getMessage(), e);
        }
    }

    /** Imports a CIB from {@code xml}, refusing one longer than {@link #MAX_BYTES}. */
    public static ClusterState parse(InputStream xml, String source, Instant fallbackNow) {
        xml = new BoundedInput(xml, MAX_BYTES, source);
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            f.setFeature("http://apache.org/xml/features/dom/defer-node-expansion", false); // every node is visited anyway
            f.setNamespaceAware(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            doc = b.parse(xml);
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw CibException.invalid(source, "not a readable XML document: " + e.getMessage());
        }
        return new CibImporter(doc, fallbackNow).run();
    }

    /** Stops reading after {@code max} bytes, so a huge input fails early instead of filling the heap. */
    private static final class BoundedInput extends java.io.FilterInputStream {
        private final long max;
        private final String source;
        private long read;

        BoundedInput(InputStream in, long max, String source) {
            super(in);
            this.max = max;
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count(1);
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) count(n);
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > max) throw new IOException(source + " is longer than the " + max + " bytes a CIB may have");
        }
    }

    private ClusterState run() {
        Element cib = doc.getDocumentElement();
        legacyFailCounts = olderThan(cib.getAttribute("crm_feature_set"), "3.1.0");
        if (!cib.getTagName().equals("cib")) throw CibException.invalid(cib.getTagName(), "the root element must be <cib>, got <" + cib.getTagName() + ">");
        now = fallbackNow;
        String exec = cib.getAttribute("execution-date");
        if (!exec.isEmpty()) now = Instant.ofEpochSecond(longValue(() -> path(cib) + "/@execution-date", exec));
        index(cib);
        Element configuration = child(cib, "configuration");
        if (configuration == null) throw CibException.invalid("cib", "no <configuration> element");
        for (Element e : children(configuration)) {
            switch (e.getTagName()) {
                case "crm_config", "nodes", "resources", "constraints", "rsc_defaults", "op_defaults", "fencing-topology":
                    break;
                case "tags":
                    break; // read with the constraints that name them: see tags
                case "acls", "alerts":
                    break; // who may change the CIB and whom to notify: no effect on scheduling
                default:
                    throw CibException.unsupported(path(e), "configuration section <" + e.getTagName() + "> is not supported");
            }
        }
        ClusterProperties props = properties(child(configuration, "crm_config"), child(configuration, "rsc_defaults"));
        ClusterConfig.Builder cfg = ClusterConfig.builder().properties(props);
        Map<String, NodeState> nodeStates = new TreeMap<>();
        nodes(child(configuration, "nodes"), cfg, nodeStates);
        Map<String, String> rscDefaults = rscDefaults(child(configuration, "rsc_defaults"));
        Duration defaultTimeout = opDefaultTimeout(child(configuration, "op_defaults"));
        Element resources = child(configuration, "resources");
        if (resources != null) {
            for (Element e : children(resources)) resource(e, cfg, rscDefaults, defaultTimeout);
        }
        guestConnections.forEach(cfg::resource);
        checkContainers();
        // a remote node whose connection resource is gone is offline for good, as if not configured (as Pacemaker)
        for (String n : List.copyOf(remoteNodeNames)) {
            if (!remoteConnections.contains(n)) {
                remoteNodeNames.remove(n);
                nodeNames.remove(n);
                connectionlessRemoteNodes.add(n);
                LOG.info("{}: remote node without connection resource ignored", n);
            }
        }
        stonithDevices.forEach(cfg::fenceDevice);
        Element topology = child(configuration, "fencing-topology");
        if (topology != null) {
            for (Element level : children(topology)) fencingLevels(level, cfg).forEach(cfg::fencingLevel);
        }
        Element status = child(cib, "status");
        transientAttributesForRules(status, cib.getAttribute("dc-uuid"));
        ticketStates(status);
        tags(child(configuration, "tags"));
        Element constraints = child(configuration, "constraints");
        if (constraints != null) {
            for (Element e : children(constraints)) constraint(e, cfg);
        }
        exclusiveDiscoveryBans(cfg);
        nodeHealth(cfg, props);
        Map<String, Map<String, ResourceState>> rs = new TreeMap<>();
        if (status != null) status(status, props, nodeStates, rs);
        shutdownLocks(cfg, props, nodeStates, rs);
        applyTickets(cfg, nodeStates, rs);
        for (String n : nodeNames) {
            if (remoteNodeNames.contains(n) && !nodeStates.containsKey(n)) {
                // never connected: its connection decides whether it is up, nothing to fence before trying it
                nodeStates.put(n, new NodeState(n, Membership.OFFLINE, configStandby.getOrDefault(n, false),
                        configMaintenance.getOrDefault(n, false), Instant.EPOCH, ""));
            } else if (!nodeStates.containsKey(n)) {
                // Never seen: with startup-fencing (the default) Pacemaker fences it before trusting it is down.
                boolean fence = props.stonithEnabled() && !"false".equalsIgnoreCase(props.other().getOrDefault("startup-fencing", "true"));
                nodeStates.put(n, new NodeState(n, fence ? Membership.UNCLEAN : Membership.OFFLINE, configStandby.getOrDefault(n, false),
                        configMaintenance.getOrDefault(n, false), Instant.EPOCH, fence ? "node is unclean" : ""));
            }
        }
        boolean quorum = truth(cib.getAttribute("have-quorum"), false);
        LOG.debug("cib: imported {} nodes, {} primitives", nodeNames.size(), primitives.size());
        return new ClusterState(inStatusOrder(cfg.build(), status), 0, now, nodeStates, rs, List.of(), cib.getAttribute("dc-uuid"), 0, quorum);
    }

    /**
     * The nodes in the order the status section lists them (then those it does not list): the order in which
     * Pacemaker reads their history, which decides the instance numbers of anonymous clones.
     */
    private ClusterConfig inStatusOrder(ClusterConfig c, Element status) {
        if (status == null) return c;
        List<vigil.api.model.Node> ordered = new ArrayList<>();
        for (Element ns : children(status)) {
            String uname = ns.getAttribute("uname");
            if (uname.isEmpty()) uname = nodeNameById.get(ns.getAttribute("id"));
            String u = uname;
            c.nodes().stream().filter(n -> n.id().equals(u) && !ordered.contains(n)).findFirst().ifPresent(ordered::add);
        }
        for (vigil.api.model.Node n : c.nodes()) if (!ordered.contains(n)) ordered.add(n);
        return new ClusterConfig(ordered, c.resources(), c.constraints(), c.properties(), c.fenceDevices(), c.fencingLevels(), c.blobs());
    }

    // ---------------------------------------------------------------- crm_config, rsc_defaults, op_defaults

    private ClusterProperties properties(Element crmConfig, Element rscDefaults) {
        Map<String, String> p = new TreeMap<>();
        if (crmConfig != null) {
            for (Element set : children(crmConfig)) {
                if (!set.getTagName().equals("cluster_property_set")) throw CibException.unsupported(path(set), "unexpected element in crm_config");
            }
            p.putAll(ruledSets(children(crmConfig), null));
        }
        ClusterProperties.Builder b = ClusterProperties.builder();
        Map<String, String> other = new TreeMap<>();
        for (var e : p.entrySet()) {
            String f = "cib/configuration/crm_config//nvpair[@name='" + e.getKey() + "']";
            String v = e.getValue();
            switch (e.getKey()) {
                case "stonith-enabled" -> b.stonithEnabled(truth(v, true));
                case "symmetric-cluster" -> b.symmetricCluster(truth(v, true));
                case "no-quorum-policy" -> b.noQuorumPolicy(wrap(() -> f, () -> NoQuorumPolicy.parse(f, v)));
                case "start-failure-is-fatal" -> b.startFailureIsFatal(truth(v, true));
                case "maintenance-mode" -> b.maintenanceMode(truth(v, false));
                case "default-resource-stickiness" -> b.defaultStickiness(wrap(() -> f, () -> Score.parse(f, v)));
                case "stop-all-resources" -> other.put(e.getKey(), Boolean.toString(truth(v, false)));
                case "placement-strategy" -> {
                    if (!Set.of("default", "utilization", "balanced", "minimal").contains(v)) {
                        throw CibException.invalid(f, "placement-strategy must be default, utilization, balanced or minimal, got \"" + v + "\"");
                    }
                    other.put(e.getKey(), v);
                }
                case "stonith-watchdog-timeout" -> {
                    Duration d = v.equals("-1") ? Duration.ZERO : duration(() -> f, v);
                    b.watchdogTimeout(d.isNegative() ? Duration.ZERO : d);
                }
                case "stonith-timeout" -> b.fenceTimeout(duration(() -> f, v));
                case "node-health-strategy" -> {
                    if (v.equals("custom")) throw CibException.unsupported(f, "node-health-strategy \"custom\" is not supported");
                    if (!NodeHealth.STRATEGIES.contains(v)) {
                        throw CibException.invalid(f, "node-health-strategy must be none, migrate-on-red, only-green, progressive or custom, got \"" + v + "\"");
                    }
                    other.put(e.getKey(), v);
                }
                case "shutdown-lock" -> {
                    other.put(e.getKey(), Boolean.toString(truth(v, false)));
                }
                default -> other.put(e.getKey(), v);
            }
        }
        if (rscDefaults != null) {
            String stick = rscDefaults(rscDefaults).get(Meta.STICKINESS);
            if (stick != null) {
                String f = "cib/configuration/rsc_defaults//nvpair[@name='resource-stickiness']";
                b.defaultStickiness(wrap(() -> f, () -> Score.parse(f, stick)));
            }
        }
        return b.other(other).build();
    }

    /** The rsc_defaults that apply to every resource; those limited by a rule go to {@link #conditionalRscDefaults}. */
    private Map<String, String> rscDefaults(Element rscDefaults) {
        Map<String, String> m = new TreeMap<>();
        conditionalRscDefaults.clear();
        if (rscDefaults == null) return m;
        for (Element set : children(rscDefaults)) {
            if (!set.getTagName().equals("meta_attributes")) throw CibException.unsupported(path(set), "unexpected element in rsc_defaults");
            Element rule = defaultsRule(set, false);
            if (rule == null) m.putAll(nvpairs(set));
            else conditionalRscDefaults.add(new ConditionalDefaults(rule, nvpairsBesideRule(set)));
        }
        return m;
    }

    private Duration opDefaultTimeout(Element opDefaults) {
        conditionalOpDefaults.clear();
        if (opDefaults == null) return null;
        Duration timeout = null;
        for (Element set : children(opDefaults)) {
            Element rule = defaultsRule(set, true);
            if (rule != null) {
                conditionalOpDefaults.add(new ConditionalDefaults(rule, nvpairsBesideRule(set)));
                continue;
            }
            String t = nvpairs(set).get("timeout");
            if (t != null && timeout == null) timeout = duration(() -> path(set), t);
        }
        return timeout;
    }

    /**
     * A set of rsc_defaults or op_defaults that applies only where its rule matches ("Pacemaker Explained", Resource
     * and Operation Expressions): {@code rsc_expression} compares a primitive's class, provider and type,
     * {@code op_expression} (op_defaults only) an operation's name and interval, {@code date_expression} the CIB's time,
     * joined by the rule's boolean-op.
     */
    private record ConditionalDefaults(Element rule, Map<String, String> values) {}

    private final List<ConditionalDefaults> conditionalRscDefaults = new ArrayList<>();
    private final List<ConditionalDefaults> conditionalOpDefaults = new ArrayList<>();

    /** The set's rule, or null; only resource and operation expressions are supported in it. */
    private Element defaultsRule(Element set, boolean operations) {
        Element rule = child(set, "rule");
        if (rule == null) return null;
        rule = deref(rule);
        for (Element x : children(rule)) {
            boolean ok = x.getTagName().equals("rsc_expression") || x.getTagName().equals("date_expression")
                    || operations && x.getTagName().equals("op_expression");
            if (!ok) throw CibException.unsupported(path(x), "rule element <" + x.getTagName() + "> is not supported in " + set.getParentNode().getNodeName());
        }
        return rule;
    }

    private Map<String, String> nvpairsBesideRule(Element set) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Element c : children(set)) {
            if (c.getTagName().equals("rule")) continue;
            Element nv = deref(c);
            if (!nv.getTagName().equals("nvpair")) throw CibException.unsupported(path(nv), "unexpected element <" + nv.getTagName() + "> in " + set.getTagName());
            out.put(nv.getAttribute("name"), nv.getAttribute("value"));
        }
        return out;
    }

    /** Whether a defaults rule matches a primitive (and, for op_defaults, one of its operations; null for none). */
    private boolean defaultsRuleMatches(Element rule, String cls, String provider, String agent, String opName, Duration opInterval) {
        boolean or = rule.getAttribute("boolean-op").equalsIgnoreCase("or");
        boolean result = !or;
        for (Element x : children(rule)) {
            boolean m;
            if (x.getTagName().equals("date_expression")) {
                m = DateExpression.holds(x, now, path(x));
            } else if (x.getTagName().equals("rsc_expression")) {
                m = (x.getAttribute("class").isEmpty() || x.getAttribute("class").equals(cls))
                        && (x.getAttribute("provider").isEmpty() || x.getAttribute("provider").equals(provider))
                        && (x.getAttribute("type").isEmpty() || x.getAttribute("type").equals(agent));
            } else {
                m = opName != null && x.getAttribute("name").equals(opName)
                        && (x.getAttribute("interval").isEmpty() || duration(() -> path(x) + "/@interval", x.getAttribute("interval")).equals(opInterval));
            }
            result = or ? result || m : result && m;
        }
        return result;
    }

    // ---------------------------------------------------------------- nodes

    private final Map<String, Boolean> configStandby = new HashMap<>();
    /** Per node: what rule expressions compare (configured and transient node attributes, #uname, #id, #kind, #is_dc). */
    private final Map<String, Map<String, String>> ruleAttributes = new HashMap<>();
    private final Map<String, Boolean> configMaintenance = new HashMap<>();

    private void nodes(Element nodes, ClusterConfig.Builder cfg, Map<String, NodeState> states) {
        if (nodes == null) return;
        for (Element n : children(nodes)) {
            if (!n.getTagName().equals("node")) throw CibException.unsupported(path(n), "unexpected element in nodes");
            String type = n.getAttribute("type");
            boolean remote = type.equals("remote") || type.equals("guest");
            String uname = n.getAttribute("uname");
            if (uname.isEmpty()) uname = n.getAttribute("id");
            if (uname.isEmpty()) throw CibException.invalid(path(n), "node has neither uname nor id");
            if (nodeNames.contains(uname)) throw CibException.invalid(path(n), "duplicate node uname \"" + uname + "\"");
            nodeNames.add(uname);
            nodeNameById.put(n.getAttribute("id").isEmpty() ? uname : n.getAttribute("id"), uname);
            Map<String, String> attrs = new TreeMap<>();
            List<Element> attributeSets = new ArrayList<>();
            List<Element> utilizationSets = new ArrayList<>();
            for (Element set : children(n)) {
                if (set.getTagName().equals("instance_attributes")) attributeSets.add(set);
                else if (set.getTagName().equals("utilization")) utilizationSets.add(set);
                else throw CibException.unsupported(path(set), "unexpected element in node");
            }
            attrs.putAll(ruledSets(attributeSets, uname));
            nonNegative(ruledSets(utilizationSets, uname)).forEach((k, v) -> attrs.put(Meta.UTILIZATION + k, v));
            Map<String, String> forRules = new HashMap<>(attrs);
            forRules.put("#uname", uname);
            forRules.put("#id", n.getAttribute("id").isEmpty() ? uname : n.getAttribute("id"));
            forRules.put("#kind", remote ? "remote" : "cluster");
            ruleAttributes.put(uname, forRules);
            configStandby.put(uname, truth(attrs.remove("standby"), false));
            configMaintenance.put(uname, truth(attrs.remove("maintenance"), false));
            // a remote node is no member: its connection resource makes it (see remoteNode), the scheduler brings it up
            if (remote) remoteNodeNames.add(uname);
            else cfg.node(new vigil.api.model.Node(uname, uname + ":" + ADDRESS_PORT, null, attrs));
        }
    }

    /** A Pacemaker Remote connection resource makes the remote node of its id a node that constraints can name. */
    private void remoteNode(String id, Element e) { remoteNode(id, e, false); }

    private void remoteNode(String id, Element e, boolean guest) {
        if (!guest && e.getParentNode() instanceof Element parent && !parent.getTagName().equals("resources")) {
            throw CibException.unsupported(path(e), "a Pacemaker Remote connection inside a " + parent.getTagName() + " is not supported");
        }
        if (!remoteNodeNames.contains(id) && nodeNames.contains(id)) {
            throw CibException.invalid(path(e), "remote connection \"" + id + "\" has the name of a cluster node");
        }
        remoteNodeNames.add(id);
        remoteConnections.add(id);
        if (!nodeNames.contains(id)) {
            nodeNames.add(id);
            nodeNameById.put(id, id);
            ruleAttributes.put(id, new HashMap<>(Map.of("#uname", id, "#id", id, "#kind", guest ? "container" : "remote")));
        }
    }

    // ---------------------------------------------------------------- resources

    private void resource(Element e, ClusterConfig.Builder cfg, Map<String, String> defaults, Duration defaultTimeout) {
        e = deref(e);
        switch (e.getTagName()) {
            case "primitive" -> {
                cfg.resource(primitive(e, defaults, defaultTimeout, false));
            }
            case "group" -> cfg.resource(group(e, defaults, defaultTimeout, false));
            case "clone", "master" -> cfg.resource(clone(e, defaults, defaultTimeout));
            case "bundle" -> throw CibException.unsupported(path(e), "bundles are not supported");
            case "template" -> { } // a definition the primitives based on it take (see template)
            default -> throw CibException.unsupported(path(e), "resource element <" + e.getTagName() + "> is not supported");
        }
    }

    /** A node's capacities or a primitive's needs: non-negative integers (Pacemaker reads other values as 0). */
    private Map<String, String> utilization(Element set) { return nonNegative(nvpairs(set)); }

    private static Map<String, String> nonNegative(Map<String, String> values) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, Integer.toString(Math.max(0, parseIntOr(v.trim(), 0)))));
        return out;
    }

    private static boolean isStonith(Element e) { return e.getAttribute("class").equals("stonith"); }

    private Primitive primitive(Element e, Map<String, String> defaults, Duration defaultTimeout, boolean promotable) {
        String id = requireId(e);
        Element template = template(e);
        if (template != null) templateMembers.computeIfAbsent(template.getAttribute("id"), k -> new ArrayList<>()).add(id);
        Element definer = template != null ? template : e; // a primitive based on a template takes its agent from it
        if (isStonith(definer)) {
            if (template != null) throw CibException.unsupported(path(e), "fence devices based on a template are not supported");
            stonithDevices.add(fenceDevice(e));
        }
        String cls = definer.getAttribute("class");
        String provider = definer.getAttribute("provider");
        String agent = definer.getAttribute("type");
        if (cls.isEmpty() || agent.isEmpty()) throw CibException.invalid(path(e), "primitive needs class and type");
        if (cls.equals("ocf") && provider.equals("pacemaker") && agent.equals("remote")) remoteNode(id, e);
        String type = cls + ":" + (provider.isEmpty() ? "" : provider + ":") + agent;
        Map<String, String> params = new TreeMap<>();
        Map<String, String> meta = new TreeMap<>(defaults);
        for (ConditionalDefaults d : conditionalRscDefaults) {
            if (defaultsRuleMatches(d.rule(), cls, provider, agent, null, null)) meta.putAll(d.values());
        }
        Map<String, Operation> ops = new LinkedHashMap<>(); // by name and interval: the primitive's own replace the template's
        List<Element> parts = new ArrayList<>();
        if (template != null) parts.addAll(children(template));
        parts.addAll(children(e));
        // meta attribute sets with a rule (a date expression) are merged as Pacemaker does: by score, first wins
        List<Element> ruledMeta = parts.stream().map(this::deref).filter(c -> c.getTagName().equals("meta_attributes")).toList();
        boolean metaRules = ruledMeta.stream().anyMatch(c -> child(c, "rule") != null);
        if (metaRules) meta.putAll(ruledSets(ruledMeta, null));
        for (Element c : parts) {
            c = deref(c);
            switch (c.getTagName()) {
                case "instance_attributes" -> { if (child(c, "rule") == null) params.putAll(nvpairs(c)); }
                case "meta_attributes" -> { if (!metaRules) meta.putAll(nvpairs(c)); }
                case "operations" -> {
                    for (Element op : children(c)) {
                        Operation o = operation(deref(op), opTimeout(deref(op), cls, provider, agent, defaultTimeout));
                        if (o != null) ops.put(o.name() + "_" + o.interval().toMillis(), o);
                    }
                }
                case "utilization" -> utilization(c).forEach((k, v) -> meta.put(Meta.UTILIZATION + k, v));
                default -> throw CibException.unsupported(path(c), "element <" + c.getTagName() + "> in a primitive is not supported");
            }
        }
        checkMeta(e, meta);
        register(id, e);
        primitives.put(id, promotable);
        String guest = meta.get(Meta.REMOTE_NODE);
        if (guest != null && !guest.isBlank()) guestNode(guest.strip(), id, e, meta);
        if (meta.containsKey(Meta.CONTAINER)) containedPrimitives.put(e, meta.get(Meta.CONTAINER));
        return new Primitive(id, type, params, Meta.of(meta), List.copyOf(ops.values()));
    }

    /** The template {@code e} is based on ("Pacemaker Explained", Resource Templates), or null. */
    private Element template(Element e) {
        String ref = e.getAttribute("template");
        if (ref.isEmpty()) return null;
        Element t = byId.get("template#" + ref);
        if (t == null) throw CibException.invalid(path(e) + "/@template", "refers to no <template> \"" + ref + "\"");
        return t;
    }

    /** The timeout op_defaults give an operation that sets none: the last matching set with a rule, else the default. */
    private Duration opTimeout(Element op, String cls, String provider, String agent, Duration defaultTimeout) {
        Duration timeout = defaultTimeout;
        String interval = op.getAttribute("interval");
        Duration iv = interval.isEmpty() ? Duration.ZERO : duration(() -> path(op) + "/@interval", interval);
        for (ConditionalDefaults d : conditionalOpDefaults) {
            String t = d.values().get("timeout");
            if (t != null && defaultsRuleMatches(d.rule(), cls, provider, agent, op.getAttribute("name"), iv)) timeout = duration(() -> path(d.rule()), t);
        }
        return timeout;
    }

    private Operation operation(Element op, Duration defaultTimeout) {
        if (!op.getTagName().equals("op")) throw CibException.unsupported(path(op), "unexpected element in operations");
        String name = op.getAttribute("name");
        if (name.isEmpty()) throw CibException.invalid(path(op), "op has no name");
        if (!op.getAttribute("enabled").isEmpty() && !truth(op.getAttribute("enabled"), true)) return null;
        Duration interval = op.getAttribute("interval").isEmpty() ? Duration.ZERO : duration(() -> path(op) + "/@interval", op.getAttribute("interval"));
        Duration timeout = op.getAttribute("timeout").isEmpty() ? defaultTimeout : duration(() -> path(op) + "/@timeout", op.getAttribute("timeout"));
        if (op.getAttribute("on-fail").equals("demote")) throw CibException.unsupported(path(op) + "/@on-fail", "on-fail=demote is not supported");
        OnFail onFail = op.getAttribute("on-fail").isEmpty() ? null : wrap(() -> path(op) + "/@on-fail", () -> OnFail.parse("on-fail", op.getAttribute("on-fail")));
        Role role = op.getAttribute("role").isEmpty() ? null : wrap(() -> path(op) + "/@role", () -> Role.parse("role", op.getAttribute("role")));
        if (role == Role.STARTED) role = null;
        return new Operation(name, interval, timeout, onFail, role);
    }

    private Group group(Element e, Map<String, String> defaults, Duration defaultTimeout, boolean promotable) {
        String id = requireId(e);
        Map<String, String> meta = new TreeMap<>(defaults);
        Map<String, String> params = new TreeMap<>();
        List<Primitive> members = new ArrayList<>();
        for (Element c : children(e)) {
            c = deref(c);
            switch (c.getTagName()) {
                case "primitive" -> members.add(primitive(c, Map.of(), defaultTimeout, promotable));
                case "meta_attributes" -> meta.putAll(nvpairs(c));
                case "instance_attributes" -> params.putAll(instanceAttributes(c));
                default -> throw CibException.unsupported(path(c), "element <" + c.getTagName() + "> in a group is not supported");
            }
        }
        if (members.isEmpty()) throw CibException.invalid(path(e), "group has no primitives");
        checkMeta(e, meta);
        if (meta.containsKey(Meta.CONTAINER)) containedPrimitives.put(e, meta.get(Meta.CONTAINER));
        register(id, e);
        return new Group(id, members.stream().map(m -> inheritParams(m, params)).toList(), Meta.of(meta));
    }

    /**
     * Instance attributes of a group or clone are parameters of each primitive in it, where the primitive does not
     * set them itself (Pacemaker hands a resource its parents' instance attributes).
     */
    private static Primitive inheritParams(Primitive p, Map<String, String> inherited) {
        if (inherited.isEmpty()) return p;
        Map<String, String> merged = new TreeMap<>(inherited);
        merged.putAll(p.params());
        return new Primitive(p.id(), p.type(), merged, p.meta(), p.operations());
    }

    private Map<String, String> instanceAttributes(Element set) {
        if (child(set, "rule") != null) throw CibException.unsupported(path(set), "rules in instance_attributes are not supported");
        return nvpairs(set);
    }

    private Clone clone(Element e, Map<String, String> defaults, Duration defaultTimeout) {
        String id = requireId(e);
        Map<String, String> meta = new TreeMap<>(defaults);
        Map<String, String> params = new TreeMap<>();
        Element childElement = null;
        for (Element c : children(e)) {
            c = deref(c);
            switch (c.getTagName()) {
                case "meta_attributes" -> meta.putAll(nvpairs(c));
                case "instance_attributes" -> params.putAll(instanceAttributes(c));
                case "primitive", "group" -> {
                    if (childElement != null) throw CibException.invalid(path(e), "a clone has exactly one primitive or group");
                    childElement = c;
                }
                default -> throw CibException.unsupported(path(c), "element <" + c.getTagName() + "> in a clone is not supported");
            }
        }
        if (childElement == null) throw CibException.invalid(path(e), "clone has no primitive or group");
        checkMeta(e, meta);
        boolean promotable = e.getTagName().equals("master") || truth(meta.get("promotable"), false);
        Meta m = Meta.of(meta);
        wrapMeta(e, m::cloneNodeMax);
        Resource child = childElement.getTagName().equals("group")
                ? group(childElement, Map.of(), defaultTimeout, promotable)
                : primitive(childElement, Map.of(), defaultTimeout, promotable);
        if (child instanceof Group g) {
            child = new Group(g.id(), g.members().stream().map(member -> inheritParams(member, params)).toList(), g.meta());
        } else {
            child = inheritParams((Primitive) child, params);
        }
        register(id, e);
        if (truth(meta.get("globally-unique"), false)) for (Primitive p : child.primitives()) uniqueInstances.add(p.id());
        return new Clone(id, child, m, promotable);
    }

    /** Parses the typed meta attributes now, so a bad value is reported with its element. */
    private void checkMeta(Element e, Map<String, String> meta) {
        // "#default" means "as if unset"; Pacemaker reads integer meta such as priority with strtol, so "1.0" is 1.
        meta.values().removeIf("#default"::equals);
        for (String k : List.of(Meta.PRIORITY, Meta.STICKINESS, Meta.MIGRATION_THRESHOLD, Meta.CLONE_MAX, Meta.CLONE_NODE_MAX,
                Meta.PROMOTED_MAX, Meta.PROMOTED_NODE_MAX, "master-max", "master-node-max")) {
            String v = meta.get(k);
            if (v != null && DECIMAL.matcher(v).matches()) meta.put(k, v.trim().substring(0, v.trim().indexOf('.')));
        }
        Meta m = Meta.of(meta);
        wrapMeta(e, () -> {
            m.stickiness();
            m.migrationThreshold();
            m.failureTimeout();
            m.targetRole();
            m.priority();
            m.cloneMax();
            return null;
        });
        String requires = meta.getOrDefault("requires", "");
        if (requires.equals("unfencing")) {
            throw CibException.unsupported(path(e), "requires=unfencing is not supported (Vigil does not unfence)");
        }
        if (meta.containsKey(Meta.CONTAINER) || meta.containsKey(Meta.REMOTE_NODE)) {
            String key = meta.containsKey(Meta.REMOTE_NODE) ? Meta.REMOTE_NODE : Meta.CONTAINER;
            if (!e.getTagName().equals("primitive") && !(e.getTagName().equals("group") && key.equals(Meta.CONTAINER))) {
                throw CibException.unsupported(path(e), key + " meta on a " + e.getTagName() + " is not supported");
            }
            if (insideClone(e)) throw CibException.unsupported(path(e), key + " meta on a primitive inside a clone is not supported");
            if (isStonith(e)) throw CibException.unsupported(path(e), key + " meta on a fence device is not supported");
        }
    }

    private static boolean insideClone(Element e) {
        for (org.w3c.dom.Node p = e.getParentNode(); p instanceof Element pe; p = pe.getParentNode()) {
            if (pe.getTagName().equals("clone") || pe.getTagName().equals("master")) return true;
        }
        return false;
    }

    /**
     * A guest node ("Pacemaker Explained", Guest Nodes): the primitive {@code vm} (a VM or container) with meta
     * remote-node=NAME runs Pacemaker Remote inside; an implicit connection resource NAME (ocf:pacemaker:remote, meta
     * container=vm) makes node NAME, which constraints can name. Its meta remote-addr, remote-port,
     * remote-connect-timeout and remote-allow-migrate configure that connection; it is managed as the VM is.
     */
    private void guestNode(String name, String vm, Element e, Map<String, String> vmMeta) {
        if (remoteConnections.contains(name) || resourceElements.containsKey(name)) {
            throw CibException.invalid(path(e), "remote-node \"" + name + "\" names a resource; a guest node needs a name of its own");
        }
        remoteNode(name, e, true);
        Map<String, String> params = new TreeMap<>();
        if (vmMeta.containsKey("remote-addr")) params.put("addr", vmMeta.get("remote-addr"));
        if (vmMeta.containsKey("remote-port")) params.put("port", vmMeta.get("remote-port"));
        Map<String, String> meta = new TreeMap<>();
        meta.put(Meta.CONTAINER, vm);
        if (vmMeta.containsKey("remote-allow-migrate")) meta.put(Meta.ALLOW_MIGRATE, vmMeta.get("remote-allow-migrate"));
        if (vmMeta.containsKey("is-managed")) meta.put("is-managed", vmMeta.get("is-managed"));
        List<Operation> ops = new ArrayList<>();
        ops.add(new Operation("monitor", Duration.ofSeconds(30), Duration.ofSeconds(30), null, null));
        if (vmMeta.containsKey("remote-connect-timeout")) {
            ops.add(new Operation("start", Duration.ZERO, duration(() -> path(e) + "/meta_attributes/remote-connect-timeout",
                    vmMeta.get("remote-connect-timeout")), null, null));
        }
        guestConnections.add(new Primitive(name, Primitive.REMOTE_CONNECTION, params, Meta.of(meta), ops));
        primitives.put(name, false);
    }

    /**
     * A primitive's or group's container (meta container) must be another primitive outside a clone;
     * a guest node's name must be no resource's id.
     */
    private void checkContainers() {
        for (var c : containedPrimitives.entrySet()) {
            Element e = c.getKey();
            Element ce = resourceElements.get(c.getValue());
            if (ce == null || ce == e || !ce.getTagName().equals("primitive") || insideClone(ce)) {
                throw CibException.invalid(path(e), "meta container=\"" + c.getValue() + "\" names no other primitive outside a clone");
            }
        }
        for (Primitive p : guestConnections) {
            Element e = resourceElements.get(p.id());
            if (e != null) throw CibException.invalid(path(e), "the id \"" + p.id() + "\" is also the name of a guest node (remote-node meta)");
        }
    }

    private void register(String id, Element e) {
        if (resourceElements.put(id, e) != null) throw CibException.invalid(path(e), "duplicate resource id \"" + id + "\"");
    }

    private FenceDevice fenceDevice(Element e) {
        String id = requireId(e);
        Map<String, String> params = new TreeMap<>();
        for (Element c : children(e)) {
            c = deref(c);
            if (c.getTagName().equals("instance_attributes")) {
                if (child(c, "rule") == null) params.putAll(nvpairs(c));
            } else if (!Set.of("meta_attributes", "operations", "utilization").contains(c.getTagName())) {
                throw CibException.unsupported(path(c), "element <" + c.getTagName() + "> in a stonith primitive is not supported");
            }
        }
        for (Element c : children(e)) {
            if (c.getTagName().equals("meta_attributes") && "unfencing".equals(nvpairs(deref(c)).get("provides"))) {
                throw CibException.unsupported(path(e), "fence devices that provide unfencing are not supported");
            }
        }
        List<String> hostList = new ArrayList<>();
        String hl = params.remove("pcmk_host_list");
        if (hl != null) for (String h : hl.split("[\\s,;]+")) if (!h.isEmpty()) hostList.add(h);
        Map<String, String> hostMap = new TreeMap<>();
        String hm = params.remove("pcmk_host_map");
        if (hm != null) {
            for (String pair : hm.split("[\\s,;]+")) {
                int c = pair.indexOf(':');
                if (c > 0) hostMap.put(pair.substring(0, c), pair.substring(c + 1));
                else if (c < 0 && !pair.isEmpty()) throw CibException.invalid(path(e), "pcmk_host_map entry \"" + pair + "\" is not node:plug");
            }
        }
        Duration delay = Duration.ZERO;
        String base = params.remove("pcmk_delay_base");
        if (base != null) delay = duration(() -> path(e) + "/pcmk_delay_base", base);
        fenceDeviceIds.add(id);
        return new FenceDevice(id, "agent:" + e.getAttribute("type"), params, hostList, hostMap, delay);
    }

    /** One level per target node: {@code target}, or every node matching {@code target-pattern} / {@code target-attribute}. */
    private List<vigil.api.model.FencingLevel> fencingLevels(Element e, ClusterConfig.Builder cfg) {
        if (!e.getTagName().equals("fencing-level")) throw CibException.unsupported(path(e), "unexpected element in fencing-topology");
        List<String> targets = new ArrayList<>();
        if (!e.getAttribute("target").isEmpty()) {
            // a level for a node outside this cluster can never apply
            if (nodeNames.contains(e.getAttribute("target"))) targets.add(e.getAttribute("target"));
        } else if (!e.getAttribute("target-pattern").isEmpty()) {
            Pattern p;
            try {
                p = Pattern.compile(e.getAttribute("target-pattern"));
            } catch (java.util.regex.PatternSyntaxException x) {
                throw CibException.invalid(path(e) + "/@target-pattern", "not a regular expression: " + x.getDescription());
            }
            for (String n : nodeNames) if (p.matcher(n).find()) targets.add(n);
        } else if (!e.getAttribute("target-attribute").isEmpty()) {
            String attr = e.getAttribute("target-attribute");
            String value = e.getAttribute("target-value");
            for (vigil.api.model.Node n : cfg.build().nodes()) if (value.equals(n.attributes().get(attr))) targets.add(n.id());
        } else {
            throw CibException.invalid(path(e), "fencing-level needs target, target-pattern or target-attribute");
        }
        int index = (int) longValue(() -> path(e) + "/@index", e.getAttribute("index"));
        List<String> devices = new ArrayList<>();
        for (String d : e.getAttribute("devices").split(",")) {
            d = d.trim();
            if (d.isEmpty()) continue;
            if (!fenceDeviceIds.contains(d)) throw CibException.invalid(path(e) + "/@devices", "\"" + d + "\" is not a stonith resource");
            devices.add(d);
        }
        if (devices.isEmpty()) throw CibException.invalid(path(e) + "/@devices", "no devices");
        List<vigil.api.model.FencingLevel> out = new ArrayList<>();
        for (String t : targets) out.add(new vigil.api.model.FencingLevel(t, index, devices));
        return out;
    }

    // ---------------------------------------------------------------- constraints

    private void constraint(Element e, ClusterConfig.Builder cfg) {
        e = deref(e);
        if (e.getTagName().equals("rsc_ticket")) {
            ticketDependencies(e);
            return;
        }
        if (child(e, "resource_set") != null) {
            switch (e.getTagName()) {
                case "rsc_location" -> locationSets(e, cfg);
                case "rsc_colocation" -> colocationSets(e, cfg);
                case "rsc_order" -> orderSets(e, cfg);
                default -> throw CibException.unsupported(path(e), "constraint <" + e.getTagName() + "> is not supported");
            }
            return;
        }
        switch (e.getTagName()) {
            case "rsc_location" -> location(e, cfg);
            case "rsc_colocation" -> colocation(e, cfg);
            case "rsc_order" -> order(e, cfg);
            default -> throw CibException.unsupported(path(e), "constraint <" + e.getTagName() + "> is not supported");
        }
    }

    // ---------------------------------------------------------------- tickets

    private void ticketStates(Element status) {
        Element tickets = status == null ? null : child(status, "tickets");
        if (tickets == null) return;
        for (Element t : children(tickets)) {
            if (!t.getTagName().equals("ticket_state")) throw CibException.unsupported(path(t), "unexpected element in tickets");
            ticketStates.put(requireId(t), new Tickets.State(truth(t.getAttribute("granted"), false), truth(t.getAttribute("standby"), false)));
        }
    }

    /** An rsc_ticket: one dependency for its rsc, or one per resource_ref of its resource sets (each set's role). */
    private void ticketDependencies(Element e) {
        String id = requireId(e);
        String ticket = e.getAttribute("ticket");
        if (ticket.isEmpty()) throw CibException.invalid(path(e), "missing ticket");
        Tickets.LossPolicy policy = Tickets.LossPolicy.parse(e.getAttribute("loss-policy"));
        if (policy == null) {
            throw CibException.invalid(path(e) + "/@loss-policy", "must be stop, demote, fence or freeze, got \"" + e.getAttribute("loss-policy") + "\"");
        }
        List<Element> sets = children(e).stream().map(this::deref).filter(c -> c.getTagName().equals("resource_set")).toList();
        if (sets.isEmpty()) {
            for (String rsc : resourceRefs(e, "rsc")) ticketDependencies.add(new Tickets.Dependency(id, rsc, ticket, roleAttr(e, "rsc-role"), policy));
            return;
        }
        if (!e.getAttribute("rsc").isEmpty()) throw CibException.invalid(path(e), "rsc_ticket has both rsc and resource sets");
        for (Element set : sets) {
            Role role = roleAttr(set, "role");
            for (Element ref : children(set)) {
                if (!ref.getTagName().equals("resource_ref")) throw CibException.unsupported(path(ref), "unexpected element <" + ref.getTagName() + "> in resource_set");
                for (String rsc : resourceRefs(ref, "id")) ticketDependencies.add(new Tickets.Dependency(id, rsc, ticket, role, policy));
            }
        }
    }

    /**
     * Applies the ticket dependencies once the status is read (what a lost ticket does depends on where its resources
     * are active): bans become location constraints on every node, the nodes to fence become unclean with the
     * ticket's reason, and a frozen resource is left unmanaged for this transition.
     */
    private void applyTickets(ClusterConfig.Builder cfg, Map<String, NodeState> nodeStates, Map<String, Map<String, ResourceState>> rs) {
        for (Tickets.Dependency d : ticketDependencies) {
            Set<String> activeOn = new LinkedHashSet<>();
            Set<String> promotedOn = new LinkedHashSet<>();
            for (Primitive p : primitivesOf(cfg.build(), d.resource())) {
                rs.getOrDefault(p.id(), Map.of()).forEach((node, s) -> {
                    if (s.isActive()) activeOn.add(node);
                    if (s.role() == Role.PROMOTED) promotedOn.add(node);
                });
            }
            Tickets.Outcome o = Tickets.resolve(d, ticketStates, activeOn, promotedOn);
            switch (o.effect()) {
                case BAN, BAN_PROMOTED_ROLE -> {
                    Role role = o.effect() == Tickets.Effect.BAN ? null : Role.PROMOTED;
                    for (String n : nodeNames) {
                        cfg.constraint(new Constraint.Location(d.id() + "-" + d.resource() + "-" + n, d.resource(), n, Score.MINUS_INFINITY, role, null));
                    }
                }
                case FREEZE -> cfg.replaceResource(unmanaged(topLevel(cfg.build(), d.resource()), d.resource()));
                case NONE -> { }
            }
            for (String n : o.fence()) {
                NodeState ns = nodeStates.get(n);
                if (ns != null && ns.membership() != Membership.UNCLEAN) {
                    nodeStates.put(n, new NodeState(n, Membership.UNCLEAN, ns.standby(), ns.maintenance(), ns.since(), Tickets.FENCE_REASON, ns.shutdown()));
                }
            }
        }
    }

    private static Resource topLevel(ClusterConfig c, String id) {
        return c.topLevelOf(id).orElseThrow(() -> new IllegalStateException("no resource " + id));
    }

    /** The primitives of the resource {@code id}: a primitive, a group (also inside a clone) or a clone. */
    private static List<Primitive> primitivesOf(ClusterConfig c, String id) {
        Resource top = topLevel(c, id);
        if (top.id().equals(id)) return top.primitives();
        if (top instanceof Clone clone && clone.child().id().equals(id)) return clone.child().primitives();
        return top.primitives().stream().filter(p -> p.id().equals(id)).toList();
    }

    /** {@code r} with the resource {@code id} in it (itself, its clone's child or a member) marked unmanaged. */
    private static Resource unmanaged(Resource r, String id) {
        boolean self = r.id().equals(id);
        Meta m = self ? r.meta().with(Meta.IS_MANAGED, "false") : r.meta();
        if (r instanceof Primitive p) return self ? p.withMeta(m) : p;
        if (r instanceof Group g) {
            return new Group(g.id(), self ? g.members() : g.members().stream().map(p -> (Primitive) unmanaged(p, id)).toList(), m);
        }
        Clone c = (Clone) r;
        return new Clone(c.id(), self ? c.child() : unmanaged(c.child(), id), m, c.promotable());
    }

    /**
     * The resource {@code attr} names; for a template the primitives based on it (in configuration order), for a tag
     * the resources it lists (templates in it expanded).
     */
    private List<String> resourceRefs(Element e, String attr) {
        String id = e.getAttribute(attr);
        List<String> members = templateMembers.get(id);
        if (members != null) return members;
        List<Element> refs = tagRefs.get(id);
        if (refs == null) return List.of(resourceRef(e, attr));
        List<String> out = new ArrayList<>();
        for (Element ref : refs) for (String r : resourceRefs(ref, "id")) if (!out.contains(r)) out.add(r);
        return out;
    }

    /** Tags ("Pacemaker Explained", Tagging Configuration Elements): a name for a list of resources, used in constraints. */
    private void tags(Element tags) {
        if (tags == null) return;
        for (Element tag : children(tags)) {
            if (!tag.getTagName().equals("tag")) throw CibException.unsupported(path(tag), "unexpected element in tags");
            List<Element> refs = new ArrayList<>();
            for (Element ref : children(tag)) {
                if (!ref.getTagName().equals("obj_ref")) throw CibException.unsupported(path(ref), "unexpected element in tag");
                if (tagRefs.containsKey(ref.getAttribute("id"))) throw CibException.unsupported(path(ref), "a tag in a tag is not supported");
                refs.add(ref);
            }
            tagRefs.put(requireId(tag), refs);
        }
    }

    private String resourceRef(Element e, String attr) {
        String id = e.getAttribute(attr);
        if (id.isEmpty()) throw CibException.invalid(path(e), "missing " + attr);
        if (templateMembers.containsKey(id) || tagRefs.containsKey(id)) {
            throw CibException.unsupported(path(e) + "/@" + attr, "a template or tag is not supported here");
        }
        if (!resourceElements.containsKey(id)) {
            throw CibException.invalid(path(e) + "/@" + attr, "references unknown resource \"" + id + "\" (clone instances such as rsc:0 are not supported)");
        }
        return id;
    }

    private void location(Element e, ClusterConfig.Builder cfg) {
        String id = requireId(e);
        if (!e.getAttribute("rsc-pattern").isEmpty()) throw CibException.unsupported(path(e), "rsc-pattern is not supported");
        List<String> rscs = resourceRefs(e, "rsc");
        for (String rsc : rscs) location(e, rscs.size() == 1 ? id : id + "-" + rsc, rsc, null, cfg);
    }

    /** One location of {@code rsc}; {@code setRole}, when not null, is the role of the resource set naming it. */
    private void location(Element e, String id, String rsc, Role setRole, ClusterConfig.Builder cfg) {
        Role role = setRole != null ? setRole : roleAttr(e, "role");
        String node = e.getAttribute("node");
        List<Element> rules = new ArrayList<>();
        for (Element c : children(e)) {
            if (c.getTagName().equals("rule")) rules.add(deref(c));
            else if (c.getTagName().equals("resource_set")) continue;
            else throw CibException.unsupported(path(c), "element <" + c.getTagName() + "> in rsc_location is not supported");
        }
        if (!node.isEmpty()) {
            if (!rules.isEmpty()) throw CibException.invalid(path(e), "rsc_location has both node and rule");
            if (!nodeNames.contains(node)) {
                // as Pacemaker does: a location for a node the cluster does not have can never apply
                LOG.info("{}: ignored, node \"{}\" is not in the configuration", path(e), node);
                return;
            }
            cfg.constraint(new Constraint.Location(id, rsc, node, scoreAttr(e, "score"), role, null));
            discovery(e, rsc, List.of(node));
            return;
        }
        if (rules.isEmpty()) throw CibException.invalid(path(e), "rsc_location needs node and score, or a rule");
        for (Element rule : rules) {
            String rp = path(rule);
            String scoreAttribute = rule.getAttribute("score-attribute");
            Score score = scoreAttribute.isEmpty() ? scoreAttr(rule, "score") : null;
            Role ruleRole = rule.getAttribute("role").isEmpty() ? role : roleAttr(rule, "role");
            List<String> matched = ruleNodes(rule);
            for (String n : nodeNames) {
                if (!matched.contains(n)) continue;
                // score-attribute: the score is the node's value of that attribute (-INFINITY where it has none)
                Score s = score != null ? score : nodeScore(rp, n, scoreAttribute);
                cfg.constraint(new Constraint.Location(id + "-" + n, rsc, n, s, ruleRole, null));
            }
            discovery(e, rsc, matched);
        }
    }

    /** Per resource, the nodes its resource-discovery=exclusive locations name (it may run on no other node). */
    private final Map<String, Set<String>> exclusiveDiscovery = new LinkedHashMap<>();

    private void discovery(Element e, String rsc, List<String> nodes) {
        if (e.getAttribute("resource-discovery").equalsIgnoreCase("exclusive")) {
            exclusiveDiscovery.computeIfAbsent(rsc, k -> new LinkedHashSet<>()).addAll(nodes);
        }
    }

    /**
     * resource-discovery=exclusive: a resource with such locations is probed, and may run, only on the nodes they name
     * ("Pacemaker Explained", resource discovery); every other node gets -INFINITY.
     */
    private void exclusiveDiscoveryBans(ClusterConfig.Builder cfg) {
        exclusiveDiscovery.forEach((rsc, nodes) -> {
            for (String n : nodeNames) {
                if (!nodes.contains(n)) cfg.constraint(new Constraint.Location("resource-discovery-exclusive-" + rsc + "-" + n, rsc, n, Score.MINUS_INFINITY, null, null));
            }
        });
    }

    private Score nodeScore(String rulePath, String node, String attribute) {
        String v = ruleAttributes.getOrDefault(node, Map.of()).get(attribute);
        return v == null ? Score.MINUS_INFINITY : wrap(() -> rulePath + "/@score-attribute", () -> Score.parse(attribute, v));
    }

    /** The nodes a rule selects: its expressions combined with its boolean-op (and, or). */
    private List<String> ruleNodes(Element rule) {
        List<Element> exprs = children(rule);
        String op = rule.getAttribute("boolean-op").isEmpty() ? "and" : rule.getAttribute("boolean-op");
        if (exprs.isEmpty()) throw CibException.unsupported(path(rule), "an empty rule is not supported");
        List<String> matched = null;
        for (Element x : exprs) {
            List<String> nodes = matchedNodes(x);
            if (matched == null) matched = nodes;
            else if (op.equals("or")) { for (String n : nodes) if (!matched.contains(n)) matched.add(n); }
            else matched.retainAll(nodes);
        }
        return matched;
    }

    /**
     * The nodes a rule expression selects: a comparison of a node attribute (configured or transient, or #uname, #id,
     * #kind, #is_dc) with a literal value, a nested rule, or a date expression (every node or none, at the CIB's
     * time), as Pacemaker evaluates them when the CIB is read. Values taken from resource parameters are not supported.
     */
    private List<String> matchedNodes(Element x) {
        String xp = path(x);
        if (x.getTagName().equals("rule")) return ruleNodes(x);
        if (x.getTagName().equals("date_expression")) return DateExpression.holds(x, now, xp) ? new ArrayList<>(nodeNames) : new ArrayList<>();
        if (!x.getTagName().equals("expression")) {
            throw CibException.unsupported(xp, "rule element <" + x.getTagName() + "> is not supported (only node attribute, date expressions and rules)");
        }
        String attr = x.getAttribute("attribute");
        String operation = x.getAttribute("operation");
        String value = x.getAttribute("value").isEmpty() ? null : x.getAttribute("value");
        String type = x.getAttribute("type").isEmpty() ? null : x.getAttribute("type").toLowerCase(java.util.Locale.ROOT);
        String source = x.getAttribute("value-source");
        if (attr.isEmpty()) throw CibException.invalid(xp, "expression without attribute");
        if (!source.isEmpty() && !source.equalsIgnoreCase("literal")) {
            throw CibException.unsupported(xp, "value-source=\"" + source + "\" is not supported (only literal values)");
        }
        if (type != null && !List.of("string", "integer", "number", "version").contains(type)) {
            throw CibException.invalid(xp + "/@type", "unknown type \"" + type + "\" (use string, integer, number or version)");
        }
        if (!List.of("lt", "gt", "lte", "gte", "eq", "ne", "defined", "not_defined").contains(operation.toLowerCase(java.util.Locale.ROOT))) {
            throw CibException.invalid(xp + "/@operation", "unknown operation \"" + operation + "\" (use lt, gt, lte, gte, eq, ne, defined or not_defined)");
        }
        List<String> out = new ArrayList<>();
        for (String n : nodeNames) {
            if (NodeAttributeRule.accepts(ruleAttributes.getOrDefault(n, Map.of()).get(attr), value, type, operation)) out.add(n);
        }
        return out;
    }

    /** Each node's transient attributes from the status section, over its configured ones, for rule expressions. */
    private void transientAttributesForRules(Element status, String dcUuid) {
        for (String n : nodeNames) {
            Map<String, String> a = ruleAttributes.computeIfAbsent(n, k -> new HashMap<>());
            a.put("#is_dc", Boolean.toString(!dcUuid.isEmpty() && dcUuid.equals(a.get("#id"))));
        }
        if (status == null) return;
        for (Element ns : children(status)) {
            if (!ns.getTagName().equals("node_state")) continue;
            String uname = ns.getAttribute("uname");
            if (uname.isEmpty()) uname = nodeNameById.get(ns.getAttribute("id"));
            if (uname == null || !nodeNames.contains(uname)) continue;
            for (Element c : children(ns)) {
                if (!c.getTagName().equals("transient_attributes")) continue;
                for (Element set : children(c)) ruleAttributes.get(uname).putAll(nvpairs(set));
            }
        }
    }

    /** Each node's health score (see {@link NodeHealth}) as a location of every resource that does not allow unhealthy nodes. */
    private void nodeHealth(ClusterConfig.Builder cfg, ClusterProperties props) {
        String strategy = props.other().getOrDefault("node-health-strategy", "none");
        String where = "cib/configuration/crm_config//nvpair[@name='node-health-strategy']";
        for (String n : nodeNames) {
            int health = wrap(() -> where, () -> NodeHealth.score(strategy, ruleAttributes.getOrDefault(n, Map.of()), props.other()));
            if (health == 0) continue;
            for (Resource r : cfg.build().resources()) {
                if (truth(r.meta().get(NodeHealth.ALLOW_UNHEALTHY).orElse("false"), false)) continue;
                cfg.constraint(new Constraint.Location("node-health-" + r.id() + "-" + n, r.id(), n, Score.of(health), null, null));
            }
        }
    }

    private void colocation(Element e, ClusterConfig.Builder cfg) {
        String id = requireId(e);
        List<String> rscs = resourceRefs(e, "rsc");
        List<String> withs = resourceRefs(e, "with-rsc");
        if (rscs.size() > 1 && withs.size() > 1) {
            // Pacemaker reads this as one set of resources colocated with another set, which is not all pairs
            throw CibException.unsupported(path(e), "a colocation of a template or tag with a template or tag is not supported");
        }
        String attr = e.getAttribute("node-attribute");
        if (!attr.isEmpty() && !attr.equals("#uname")) throw CibException.unsupported(path(e), "colocation on node-attribute \"" + attr + "\" is not supported");
        if (!e.getAttribute("rsc-instance").isEmpty() || !e.getAttribute("with-rsc-instance").isEmpty()) {
            throw CibException.unsupported(path(e), "colocation with clone instances is not supported");
        }
        if (e.getAttribute("score").isEmpty() && e.getAttribute("score-attribute").isEmpty()) {
            // Pacemaker reads a missing score as 0, and a colocation of score 0 has no effect
            LOG.info("{}: colocation without a score ignored", id);
            return;
        }
        for (String rsc : rscs) {
            for (String with : withs) {
                cfg.constraint(new Constraint.Colocation(expandedId(id, rscs, rsc, withs, with), rsc, with, scoreAttr(e, "score"),
                        roleAttr(e, "rsc-role"), roleAttr(e, "with-rsc-role")));
            }
        }
    }

    /**
     * A constraint naming a template applies to each primitive based on it, as Pacemaker reads it (an unordered resource
     * set of them): one constraint per pair, its id the original one with the members' ids appended.
     */
    private static String expandedId(String id, List<String> left, String l, List<String> right, String r) {
        return id + (left.size() == 1 ? "" : "-" + l) + (right.size() == 1 ? "" : "-" + r);
    }

    private OrderKind orderKind(Element e) {
        if (!e.getAttribute("kind").isEmpty()) {
            try {
                return OrderKind.parse("kind", e.getAttribute("kind"));
            } catch (VigilException x) {
                // as Pacemaker reads the CIB: an unknown kind is reset to Mandatory (with a configuration error logged)
                LOG.info("{}/@kind: \"{}\" is not a valid order kind, read as Mandatory", path(e), e.getAttribute("kind"));
                return OrderKind.MANDATORY;
            }
        }
        if (!e.getAttribute("score").isEmpty()) return scoreAttr(e, "score").value() > 0 ? OrderKind.MANDATORY : OrderKind.OPTIONAL;
        return OrderKind.MANDATORY;
    }

    private boolean symmetrical(Element e, OrderKind kind) {
        return e.getAttribute("symmetrical").isEmpty() ? kind != OrderKind.SERIALIZE : truth(e.getAttribute("symmetrical"), true);
    }

    private void order(Element e, ClusterConfig.Builder cfg) {
        String id = requireId(e);
        List<String> firsts = resourceRefs(e, "first");
        List<String> thens = resourceRefs(e, "then");
        if (!e.getAttribute("first-instance").isEmpty() || !e.getAttribute("then-instance").isEmpty()) {
            throw CibException.unsupported(path(e), "ordering of clone instances is not supported");
        }
        Action fa = actionAttr(e, "first-action", Action.START);
        Action ta = actionAttr(e, "then-action", fa);
        OrderKind kind = orderKind(e);
        boolean symmetrical = symmetrical(e, kind);
        boolean requireAll = truth(e.getAttribute("require-all"), true);
        for (String first : firsts) {
            for (String then : thens) {
                cfg.constraint(new Constraint.Order(expandedId(id, firsts, first, thens, then), first, fa, then, ta, kind, symmetrical, requireAll));
            }
        }
    }

    // ---------------------------------------------------------------- resource sets

    /** The {@code resource_set}s of a constraint, in order, each with its members (templates and tags expanded). */
    private List<ResourceSets.Set> resourceSets(Element e, String... otherAttributes) {
        for (String a : otherAttributes) {
            if (!e.getAttribute(a).isEmpty()) throw CibException.invalid(path(e) + "/@" + a, "a constraint with resource sets names no resource itself");
        }
        List<ResourceSets.Set> sets = new ArrayList<>();
        for (Element c : children(e)) {
            Element set = deref(c);
            if (!set.getTagName().equals("resource_set")) continue;
            List<String> members = new ArrayList<>();
            for (Element ref : children(set)) {
                if (!ref.getTagName().equals("resource_ref")) throw CibException.unsupported(path(ref), "unexpected element <" + ref.getTagName() + "> in resource_set");
                for (String r : resourceRefs(ref, "id")) if (!members.contains(r)) members.add(r);
            }
            String kind = set.getAttribute("kind");
            sets.add(new ResourceSets.Set(requireId(set), members, truth(set.getAttribute("sequential"), true),
                    truth(set.getAttribute("require-all"), true), actionAttr(set, "action", Action.START), roleAttr(set, "role"),
                    set.getAttribute("score").isEmpty() ? null : scoreAttr(set, "score"),
                    kind.isEmpty() ? null : wrap(() -> path(set) + "/@kind", () -> OrderKind.parse("kind", kind)),
                    set.getAttribute("ordering").equals("listed")));
        }
        return sets;
    }

    private void locationSets(Element e, ClusterConfig.Builder cfg) {
        String id = requireId(e);
        List<ResourceSets.Set> sets = resourceSets(e, "rsc", "rsc-pattern");
        for (ResourceSets.Set set : sets) {
            for (String rsc : set.members()) location(e, id + "-" + set.id() + "-" + rsc, rsc, set.role(), cfg);
        }
    }

    private void colocationSets(Element e, ClusterConfig.Builder cfg) {
        String id = requireId(e);
        List<ResourceSets.Set> sets = resourceSets(e, "rsc", "with-rsc");
        if (e.getAttribute("score").isEmpty() && e.getAttribute("score-attribute").isEmpty()) {
            LOG.info("{}: colocation without a score ignored", id);
            return;
        }
        if (!e.getAttribute("node-attribute").isEmpty() && !e.getAttribute("node-attribute").equals("#uname")) {
            throw CibException.unsupported(path(e), "colocation on node-attribute \"" + e.getAttribute("node-attribute") + "\" is not supported");
        }
        for (Constraint.Colocation c : ResourceSets.colocations(id, sets, scoreAttr(e, "score"))) cfg.constraint(c);
    }

    private void orderSets(Element e, ClusterConfig.Builder cfg) {
        String id = requireId(e);
        List<ResourceSets.Set> sets = resourceSets(e, "first", "then");
        OrderKind kind = orderKind(e);
        for (Constraint.Order o : ResourceSets.orders(id, sets, kind, symmetrical(e, kind))) cfg.constraint(o);
    }

    private Action actionAttr(Element e, String attr, Action dflt) {
        String v = e.getAttribute(attr);
        if (v.isEmpty()) return dflt;
        return wrap(() -> path(e) + "/@" + attr, () -> Action.parse(attr, v));
    }

    private Role roleAttr(Element e, String attr) {
        String v = e.getAttribute(attr);
        if (v.isEmpty()) return null;
        Role r = wrap(() -> path(e) + "/@" + attr, () -> Role.parse(attr, v));
        return r == Role.STARTED ? null : r; // Started means any active role
    }

    private Score scoreAttr(Element e, String attr) {
        String v = e.getAttribute(attr);
        if (v.isEmpty()) {
            if (!e.getAttribute("score-attribute").isEmpty()) throw CibException.unsupported(path(e), "score-attribute is not supported");
            throw CibException.invalid(path(e), "missing " + attr);
        }
        return wrap(() -> path(e) + "/@" + attr, () -> Score.parse(attr, v));
    }

    // ---------------------------------------------------------------- status

    /** node -> resource -> when the resource was locked to the node (lrm_resource shutdown-lock, epoch seconds). */
    private final Map<String, Map<String, Long>> lockedAt = new HashMap<>();
    /** node -> the time its clean shutdown was requested (the shutdown node attribute, epoch seconds). */
    private final Map<String, Long> shutdownAt = new HashMap<>();

    /**
     * shutdown-lock ("Pacemaker Explained", cluster options): what was active on a node when it was cleanly shut down
     * stays locked to it - it runs on no other node (-INFINITY there) - until the node is back or shutdown-lock-limit
     * has passed since the lock. Fence devices, remote connections and clone instances are never locked. A resource
     * is locked when it is active on a node shutting down, or recorded as locked on a node that is down.
     */
    private void shutdownLocks(ClusterConfig.Builder cfg, ClusterProperties props, Map<String, NodeState> nodeStates,
                               Map<String, Map<String, ResourceState>> rs) {
        if (!truth(props.other().get("shutdown-lock"), false)) return;
        String limitText = props.other().getOrDefault("shutdown-lock-limit", "0");
        Duration limit = duration(() -> "cib/configuration/crm_config//nvpair[@name='shutdown-lock-limit']", limitText);
        Map<String, String> lockNode = new LinkedHashMap<>();
        for (String node : nodeNames) {
            NodeState ns = nodeStates.get(node);
            if (ns == null || remoteNodeNames.contains(node)) continue;
            Map<String, Long> locks = new LinkedHashMap<>();
            if (ns.shutdown() && ns.membership() == Membership.ONLINE && shutdownAt.containsKey(node)) {
                rs.forEach((rsc, per) -> {
                    ResourceState r = per.get(node);
                    if (r != null && r.isActive()) locks.put(rsc, shutdownAt.get(node));
                });
            } else if (ns.membership() != Membership.ONLINE) {
                locks.putAll(lockedAt.getOrDefault(node, Map.of()));
            }
            locks.forEach((rsc, at) -> {
                if (!limit.isZero() && now.isAfter(Instant.ofEpochSecond(at).plus(limit))) return;
                String top = lockable(rsc);
                if (top != null) lockNode.putIfAbsent(top, node);
            });
        }
        lockNode.forEach((rsc, node) -> {
            for (String n : nodeNames) {
                if (!n.equals(node)) cfg.constraint(new Constraint.Location("shutdown-lock-" + rsc + "-" + n, rsc, n, Score.MINUS_INFINITY, null, null));
            }
        });
    }

    /** The top-level resource a lock on primitive {@code id} holds (its group), or null when it cannot be locked. */
    private String lockable(String id) {
        Element e = resourceElements.get(id);
        if (e == null || isStonith(e) || remoteConnections.contains(id) || insideClone(e)) return null;
        return e.getParentNode() instanceof Element p && p.getTagName().equals("group") ? p.getAttribute("id") : id;
    }

    private void status(Element status, ClusterProperties props, Map<String, NodeState> nodeStates, Map<String, Map<String, ResourceState>> rs) {
        for (Element ns : children(status)) {
            if (ns.getTagName().equals("tickets")) continue; // read before the constraints: see ticketStates
            if (!ns.getTagName().equals("node_state")) throw CibException.unsupported(path(ns), "unexpected element in status");
            String uname = ns.getAttribute("uname");
            if (uname.isEmpty()) uname = nodeNameById.get(ns.getAttribute("id"));
            if (uname == null || !nodeNames.contains(uname)) {
                if (truth(ns.getAttribute("remote_node"), false) && !connectionlessRemoteNodes.contains(uname)) {
                    // Pacemaker recreates the node of a connection resource that is no longer configured to stop what runs there
                    throw CibException.unsupported(path(ns), "status of a Pacemaker Remote node that is not configured (an orphaned connection) is not supported");
                }
                // Pacemaker, too, ignores the status of a node that is not in the configuration.
                String n = uname == null ? ns.getAttribute("id") : uname;
                LOG.info("{}: status ignored, node not configured", n);
                continue;
            }
            Map<String, String> transient_ = new TreeMap<>();
            Element lrm = null;
            for (Element c : children(ns)) {
                if (c.getTagName().equals("transient_attributes")) {
                    for (Element set : children(c)) transient_.putAll(nvpairs(set));
                } else if (c.getTagName().equals("lrm")) {
                    lrm = c;
                }
            }
            nodeStates.put(uname, remoteNodeNames.contains(uname) ? remoteNodeState(uname, transient_) : nodeState(ns, uname, props, transient_));
            // promotion scores are node attributes: configured ones count too, the transient ones win
            Map<String, String> attrs = new TreeMap<>();
            ruleAttributes.getOrDefault(uname, Map.of()).forEach((k, v) -> { if (k.startsWith("master-")) attrs.put(k, v); });
            attrs.putAll(transient_);
            if (lrm != null) lrm(lrm, uname, attrs, rs);
            else history(uname, attrs, Map.of(), rs);
        }
    }

    /** Pacemaker's determine_online_status (with and without fencing), reduced to Vigil's three memberships. */
    private NodeState nodeState(Element ns, String uname, ClusterProperties props, Map<String, String> attrs) {
        String inCcm = ns.getAttribute("in_ccm");
        boolean inCluster = truth(inCcm, false) || isSet(inCcm);
        boolean crmdOnline = ns.getAttribute("crmd").equalsIgnoreCase("online") || isSet(ns.getAttribute("crmd"));
        String join = ns.getAttribute("join");
        String expected = ns.getAttribute("expected").isEmpty() ? "down" : ns.getAttribute("expected");
        boolean shutdown = isSet(attrs.get("shutdown"));
        if (shutdown) shutdownAt.put(uname, parseLongOr(attrs.get("shutdown").trim(), 0));
        boolean terminate = isSet(attrs.get("terminate"));
        Membership m;
        String reason = "";
        boolean pending = false;
        if (props.stonithEnabled()) {
            if (shutdown) {
                m = crmdOnline ? Membership.ONLINE : Membership.OFFLINE;
            } else if (inCcm.isEmpty()) {
                m = Membership.UNCLEAN; reason = "peer has not been seen by the cluster";
            } else if (join.equalsIgnoreCase("banned")) {
                m = Membership.UNCLEAN; reason = "peer failed Pacemaker membership criteria";
            } else if (!terminate && expected.equalsIgnoreCase("down")) {
                m = inCluster ? Membership.ONLINE : Membership.OFFLINE;
                pending = inCluster || crmdOnline;
                if (!inCluster) m = Membership.OFFLINE;
            } else if (terminate && join.equalsIgnoreCase("down") && !inCluster && !crmdOnline) {
                m = Membership.OFFLINE;
            } else if (!inCluster) {
                m = Membership.UNCLEAN; reason = "peer is no longer part of the cluster";
            } else if (!crmdOnline) {
                m = Membership.UNCLEAN; reason = "peer process is no longer available";
            } else if (terminate) {
                m = Membership.UNCLEAN; reason = "termination was requested";
            } else if (join.equalsIgnoreCase("member")) {
                m = Membership.ONLINE;
            } else if (join.equalsIgnoreCase("pending") || join.equalsIgnoreCase("down")) {
                m = Membership.ONLINE; pending = true;
            } else {
                m = Membership.UNCLEAN; reason = "peer was in an unknown state";
            }
        } else {
            if (!inCluster) {
                m = Membership.OFFLINE;
            } else if (crmdOnline) {
                m = Membership.ONLINE;
                pending = !join.equalsIgnoreCase("member");
            } else if (!expected.equalsIgnoreCase("member")) {
                m = Membership.OFFLINE;
            } else {
                m = Membership.UNCLEAN; reason = "peer is unexpectedly down";
            }
        }
        // Pacemaker: a node that is up but has not joined yet (pending) is not ready to run resources, as if in standby
        boolean standby = pending && m == Membership.ONLINE || truth(attrs.get("standby"), configStandby.getOrDefault(uname, false));
        boolean maintenance = truth(attrs.get("maintenance"), configMaintenance.getOrDefault(uname, false));
        return new NodeState(uname, m, standby, maintenance, Instant.EPOCH, reason, shutdown);
    }

    /**
     * A remote node's status: whether it is up follows from its connection resource (the scheduler decides that);
     * standby and maintenance come from its attributes like a cluster node's.
     */
    private NodeState remoteNodeState(String uname, Map<String, String> attrs) {
        boolean standby = truth(attrs.get("standby"), configStandby.getOrDefault(uname, false));
        boolean maintenance = truth(attrs.get("maintenance"), configMaintenance.getOrDefault(uname, false));
        return new NodeState(uname, Membership.ONLINE, standby, maintenance, Instant.EPOCH, "", false);
    }

    private static boolean isSet(String v) {
        if (v == null || v.isEmpty()) return false;
        return truth(v, false) || (Character.isDigit(v.charAt(0)) && v.charAt(0) != '0');
    }

    private record Op(int callId, String operation, Duration interval, int rc, int targetRc, int opStatus, Instant at, Duration took,
                      OperationRecord.Digests digests) {}

    private void lrm(Element lrm, String node, Map<String, String> attrs, Map<String, Map<String, ResourceState>> rs) {
        Map<String, List<Op>> byResource = new LinkedHashMap<>();
        Element resources = child(lrm, "lrm_resources");
        if (resources != null) {
            for (Element r : children(resources)) {
                if (!r.getTagName().equals("lrm_resource")) continue;
                String id = baseId(r.getAttribute("id"));
                // a contained resource's record names its container; the configuration says the same for configured ones
                if (!r.getAttribute("shutdown-lock").isEmpty()) {
                    long at = longValue(() -> path(r) + "/@shutdown-lock", r.getAttribute("shutdown-lock"));
                    lockedAt.computeIfAbsent(node, k -> new HashMap<>()).put(id, at);
                }
                if (!r.getAttribute("container").isEmpty() && !primitives.containsKey(id)) {
                    throw CibException.unsupported(path(r), "the history of a contained resource that is no longer configured (an orphan with a container) is not supported");
                }
                List<Op> ops = byResource.computeIfAbsent(id, k -> new ArrayList<>());
                for (Element o : children(r)) if (o.getTagName().equals("lrm_rsc_op")) ops.add(op(o));
            }
        }
        history(node, attrs, byResource, rs);
    }

    private Op op(Element o) {
        int call = (int) longValue(() -> path(o) + "/@call-id", o.getAttribute("call-id").isEmpty() ? "-1" : o.getAttribute("call-id"));
        String interval = o.getAttribute("interval");
        Duration iv = interval.isEmpty() ? Duration.ZERO : Duration.ofMillis(longValue(() -> path(o) + "/@interval", interval));
        int rc = (int) longValue(() -> path(o) + "/@rc-code", o.getAttribute("rc-code").isEmpty() ? "0" : o.getAttribute("rc-code"));
        int opStatus = (int) longValue(() -> path(o) + "/@op-status", o.getAttribute("op-status").isEmpty() ? "0" : o.getAttribute("op-status"));
        // transition-key is action:transition:target-rc:uuid
        String key = o.getAttribute("transition-key");
        int c1 = key.indexOf(':');
        int c2 = c1 < 0 ? -1 : key.indexOf(':', c1 + 1);
        int c3 = c2 < 0 ? -1 : key.indexOf(':', c2 + 1);
        int target = c3 < 0 ? -1 : parseIntOr(key.substring(c2 + 1, c3), -1);
        String when = !o.getAttribute("last-rc-change").isEmpty() ? o.getAttribute("last-rc-change") : o.getAttribute("last-run");
        Instant at = when.isEmpty() ? Instant.EPOCH : Instant.ofEpochSecond(longValue(() -> path(o) + "/@last-rc-change", when));
        Duration took = Duration.ofMillis(parseIntOr(o.getAttribute("exec-time"), 0));
        String operation = o.getAttribute("operation");
        if (operation.isEmpty()) throw CibException.invalid(path(o), "lrm_rsc_op has no operation");
        OperationRecord.Digests digests = !o.hasAttribute("op-digest") ? null : new OperationRecord.Digests(o.getAttribute("op-digest"),
                attrOrNull(o, "op-restart-digest"), o.hasAttribute("op-force-restart") ? words(o.getAttribute("op-force-restart")) : null,
                attrOrNull(o, "op-secure-digest"), words(o.getAttribute("op-secure-params")));
        return new Op(call, operation, iv, rc, target, opStatus, at, took, digests);
    }

    /**
     * Replays one resource's operation history on one node in call order (Pacemaker's unpack_rsc_op, simplified):
     * the last successful start / stop / promote / demote / migrate and the probes and monitors decide the role;
     * an operation that did not return what was expected of it is a failure (kept in the history with its code).
     */
    private void history(String node, Map<String, String> attrs, Map<String, List<Op>> byResource, Map<String, Map<String, ResourceState>> rs) {
        Map<String, Integer> failCounts = new TreeMap<>();
        Map<String, Instant> lastFailures = new TreeMap<>();
        Map<String, Integer> promotion = new TreeMap<>();
        for (var a : attrs.entrySet()) {
            String k = a.getKey();
            if (k.startsWith("fail-count-")) {
                if (!failureKeyCounts(k)) continue;
                String rsc = baseId(stripOp(k.substring("fail-count-".length())));
                int v = Score.parse(k, a.getValue()).value();
                failCounts.merge(rsc, v, (x, y) -> Score.of(x).plus(Score.of(y)).value());
            } else if (k.startsWith("last-failure-")) {
                if (!failureKeyCounts(k)) continue;
                String rsc = baseId(stripOp(k.substring("last-failure-".length())));
                Instant t = Instant.ofEpochSecond(longValue(() -> "status/node_state[@uname='" + node + "']//nvpair[@name='" + k + "']", a.getValue()));
                lastFailures.merge(rsc, t, (x, y) -> x.isAfter(y) ? x : y);
            } else if (k.startsWith("master-")) {
                String rsc = baseId(k.substring("master-".length()));
                promotion.put(rsc, Score.parse(k, a.getValue()).value());
            }
        }
        Set<String> all = new java.util.TreeSet<>(byResource.keySet());
        all.addAll(failCounts.keySet());
        all.addAll(promotion.keySet());
        for (String rsc : all) {
            List<Op> ops = new ArrayList<>(byResource.getOrDefault(rsc, List.of()));
            ops.sort(Comparator.comparingInt(Op::callId).thenComparing(Op::at));
            boolean promotable = primitives.getOrDefault(rsc, primitives.getOrDefault(instanceBase(rsc), false));
            Role role = Role.STOPPED;
            boolean blocked = false;
            Instant lastFailure = lastFailures.getOrDefault(rsc, Instant.EPOCH);
            List<OperationRecord> records = new ArrayList<>();
            for (Op op : ops) {
                if (op.opStatus() == -1 || op.callId() < 0) { // pending
                    if (op.operation().equals("start") || op.operation().equals("migrate_from")) role = active(promotable);
                    else if (op.operation().equals("promote")) role = Role.PROMOTED;
                    continue;
                }
                if (op.opStatus() == 1) continue; // cancelled (a recurring monitor stopped on purpose)
                boolean probe = op.operation().equals("monitor") && op.interval().isZero();
                boolean ok;
                if (op.opStatus() != 0 && op.opStatus() != 5) ok = false; // 5: not installed, keeps the rc
                else if (probe) ok = op.rc() == 0 || op.rc() == 7 || op.rc() == 8;
                else if (op.targetRc() >= 0) ok = op.rc() == op.targetRc();
                else ok = op.rc() == 0 || (op.operation().equals("monitor") && op.rc() == 8);
                String reason = ok ? "" : "rc " + op.rc() + (op.targetRc() >= 0 ? " (expected " + op.targetRc() + ")" : "") + (op.opStatus() != 0 ? ", op-status " + op.opStatus() : "");
                // The code carries the verdict: an operation that "succeeded" against its expectation is recorded as an error.
                OcfCode code = op.opStatus() == 2 ? OcfCode.TIMEOUT : !ok && op.rc() == 0 ? OcfCode.ERR_GENERIC : OcfCode.of(op.rc());
                records.add(new OperationRecord(op.operation(), op.interval(), code, op.at(), op.took(), reason, op.digests()));
                if (!ok && lastFailure.isBefore(op.at())) lastFailure = op.at();
                switch (op.operation()) {
                    case "start", "migrate_from" -> role = active(promotable); // a failed start leaves it active and failed
                    case "stop" -> {
                        if (ok) {
                            role = Role.STOPPED;
                            blocked = false;
                        } else {
                            blocked = true; // a failed stop leaves it in an unknown state: active until the node is fenced
                            if (role == Role.STOPPED) role = active(promotable);
                        }
                    }
                    case "promote" -> role = Role.PROMOTED;
                    case "demote" -> role = ok ? Role.UNPROMOTED : Role.PROMOTED;
                    case "migrate_to" -> { if (role == Role.STOPPED) role = active(promotable); }
                    case "monitor" -> {
                        if (op.rc() == 7 && (ok || probe)) role = Role.STOPPED;
                        else if (op.rc() == 8 || op.rc() == 9) role = Role.PROMOTED;
                        else if (op.rc() == 0) { if (role == Role.STOPPED || probe || role == Role.PROMOTED && promotable) role = active(promotable); }
                        // A probe that found the agent not installed means not running there (Pacemaker's unpack_rsc_op);
                        // any other failed probe leaves the state unknown: treat it as active, so it is stopped first.
                        else if (role == Role.STOPPED && !(probe && op.rc() == 5)) role = active(promotable);
                    }
                    default -> { }
                }
            }
            while (records.size() > KEEP_OPERATIONS) records.remove(0);
            ResourceState s = new ResourceState(rsc, node, role, records, failCounts.getOrDefault(rsc, 0), lastFailure,
                    promotion.getOrDefault(rsc, ResourceState.NO_PROMOTION_SCORE), blocked);
            rs.computeIfAbsent(rsc, k -> new TreeMap<>()).put(node, s);
        }
    }

    /**
     * Whether a fail-count / last-failure attribute counts: CIBs written by Pacemaker from 1.1.17 on (feature set
     * 3.1.0 and later) keep one per operation ({@code fail-count-rsc#monitor_10000}), older ones one per resource, and
     * Pacemaker reads only the form the CIB's version writes.
     */
    private boolean failureKeyCounts(String key) {
        boolean perOperation = PER_OPERATION_FAILURE.matcher(key).find();
        return perOperation != legacyFailCounts;
    }

    private static final Pattern PER_OPERATION_FAILURE = Pattern.compile("#.+_[0-9]+$");

    /** {@code " passwd  user "} -> [passwd, user]. */
    private static List<String> words(String s) {
        return List.of(s.trim().split("\\s+")).stream().filter(x -> !x.isEmpty()).toList();
    }

    private static String attrOrNull(Element e, String attr) {
        return e.hasAttribute(attr) ? e.getAttribute(attr) : null;
    }

    private static Role active(boolean promotable) { return promotable ? Role.UNPROMOTED : Role.STARTED; }

    /** {@code rsc#monitor_10000} -> {@code rsc}. */
    private static String stripOp(String s) {
        int h = s.indexOf('#');
        return h < 0 ? s : s.substring(0, h);
    }

    /**
     * {@code drbd:1} -> {@code drbd}: Vigil keeps one status per anonymous clone primitive and node (an anonymous
     * clone's instances are interchangeable); the instances of a globally-unique clone keep their own status.
     */
    private String baseId(String id) {
        String base = instanceBase(id);
        return uniqueInstances.contains(base) ? id : base;
    }

    /** {@code drbd:1} -> {@code drbd}; an id that is not an instance's is returned unchanged. */
    private String instanceBase(String id) {
        int c = id.lastIndexOf(':');
        if (c > 0 && INSTANCE.matcher(id.substring(c + 1)).matches() && !primitives.containsKey(id)) return id.substring(0, c);
        return id;
    }

    /** Compares dotted versions ("3.0.7" < "3.1.0"); a missing version is older than any (as Pacemaker compares). */
    static boolean olderThan(String version, String than) {
        if (version == null || version.isBlank()) return true;
        String[] a = version.trim().split("\\.");
        String[] b = than.split("\\.");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? parseIntOr(a[i], 0) : 0;
            int y = i < b.length ? parseIntOr(b[i], 0) : 0;
            if (x != y) return x < y;
        }
        return false;
    }

    // ---------------------------------------------------------------- XML helpers

    private void index(Element e) {
        String id = e.getAttribute("id");
        if (!id.isEmpty() && !e.hasAttribute("id-ref")) byId.putIfAbsent(e.getTagName() + "#" + id, e);
        for (Element c : children(e)) {
            if (!c.getTagName().equals("status")) index(c);
        }
    }

    /** Resolves {@code <meta_attributes id-ref="..."/>} and the like to the element referred to. */
    private Element deref(Element e) {
        String ref = e.getAttribute("id-ref");
        if (ref.isEmpty()) return e;
        Element target = byId.get(e.getTagName() + "#" + ref);
        if (target == null) throw CibException.invalid(path(e), "id-ref \"" + ref + "\" refers to no <" + e.getTagName() + ">");
        return target;
    }

    /**
     * Attribute sets that may carry a rule (cluster properties, a node's attributes), as Pacemaker merges them: by
     * their score, highest first, the first set that sets a name wins; a set whose rule does not hold at the CIB's time
     * (for {@code node}, or with date expressions only when null) is left out.
     */
    private Map<String, String> ruledSets(List<Element> sets, String node) {
        List<Element> sorted = new ArrayList<>(sets);
        sorted.sort((a, b) -> Integer.compare(setScore(b), setScore(a)));
        Map<String, String> out = new LinkedHashMap<>();
        for (Element set : sorted) {
            Element d = deref(set);
            Element rule = child(d, "rule");
            if (rule != null && !ruleHolds(deref(rule), node)) continue;
            (rule == null ? nvpairs(d) : nvpairsBesideRule(d)).forEach(out::putIfAbsent);
        }
        return out;
    }

    private int setScore(Element set) {
        String s = set.getAttribute("score");
        return s.isEmpty() ? 0 : scoreAttr(set, "score").value();
    }

    private boolean ruleHolds(Element rule, String node) {
        if (node != null) return ruleNodes(rule).contains(node);
        boolean or = rule.getAttribute("boolean-op").equalsIgnoreCase("or");
        boolean result = !or;
        for (Element x : children(rule)) {
            boolean m = switch (x.getTagName()) {
                case "date_expression" -> DateExpression.holds(x, now, path(x));
                case "rule" -> ruleHolds(x, null);
                default -> throw CibException.unsupported(path(x), "rule element <" + x.getTagName() + "> in " + ((Element) rule.getParentNode()).getTagName()
                        + " is not supported (only date expressions)");
            };
            result = or ? result || m : result && m;
        }
        return result;
    }

    /** The nvpairs of a meta_attributes / instance_attributes / cluster_property_set. */
    private Map<String, String> nvpairs(Element set) {
        set = deref(set);
        Map<String, String> out = new LinkedHashMap<>();
        for (Element c : children(set)) {
            c = deref(c);
            switch (c.getTagName()) {
                case "nvpair" -> {
                    String name = c.getAttribute("name");
                    if (name.isEmpty()) throw CibException.invalid(path(c), "nvpair has no name");
                    out.put(name, c.getAttribute("value"));
                }
                case "rule" -> throw CibException.unsupported(path(c), "rules in " + set.getTagName() + " are not supported");
                default -> throw CibException.unsupported(path(c), "unexpected element <" + c.getTagName() + "> in " + set.getTagName());
            }
        }
        return out;
    }

    private static String requireId(Element e) {
        String id = e.getAttribute("id");
        if (id.isEmpty()) throw CibException.invalid(path(e), "<" + e.getTagName() + "> has no id");
        return id;
    }

    private static boolean truth(String v, boolean dflt) {
        if (v == null || v.isEmpty()) return dflt;
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "y", "1" -> true;
            case "false", "no", "off", "n", "0" -> false;
            default -> dflt;
        };
    }

    private static long longValue(Supplier<String> where, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw CibException.invalid(where.get(), "not an integer: \"" + v + "\"");
        }
    }

    private static int parseIntOr(String v, int dflt) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static long parseLongOr(String v, long dflt) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** Runs a model parser; its error is reported at {@code where}, computed only then. */
    private static <T> T wrap(Supplier<String> where, Supplier<T> f) {
        try {
            return f.get();
        } catch (vigil.api.ConfigException e) {
            throw CibException.invalid(where.get(), e.problem() + (e.fix().isEmpty() ? "" : " (" + e.fix() + ")"));
        }
    }

    /** Like {@link #wrap}, for meta attribute accessors, whose error names the attribute. */
    private static <T> T wrapMeta(Element e, Supplier<T> f) {
        try {
            return f.get();
        } catch (vigil.api.ConfigException x) {
            throw CibException.invalid(path(e) + " meta " + x.field(), x.problem() + (x.fix().isEmpty() ? "" : " (" + x.fix() + ")"));
        }
    }

    /** Pacemaker also accepts ISO 8601 durations without the T ({@code P10S}). */
    private static Duration duration(Supplier<String> where, String text) {
        String t = text.trim();
        if ((t.startsWith("P") || t.startsWith("p")) && !t.contains("T") && !t.contains("t") && P_WITHOUT_T.matcher(t).matches()) {
            t = "PT" + t.substring(1);
        }
        String v = t;
        return wrap(where, () -> Durations.parse("duration", v));
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) return c;
        }
        return null;
    }

    private static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) out.add(c);
        }
        return out;
    }

    /** {@code cib/configuration/resources/bundle[@id='b1']}. */
    static String path(Element e) {
        List<String> parts = new ArrayList<>();
        for (Node n = e; n instanceof Element el; n = n.getParentNode()) {
            String id = el.getAttribute("id");
            parts.add(id.isEmpty() || el.getTagName().equals("cib") ? el.getTagName() : el.getTagName() + "[@id='" + id + "']");
        }
        java.util.Collections.reverse(parts);
        return String.join("/", parts);
    }
}
