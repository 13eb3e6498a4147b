package vigil.daemon.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import vigil.api.Cluster;
import vigil.api.ConfigException;
import vigil.api.VigilException;
import vigil.api.model.Action;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ConfigValidator;
import vigil.api.model.Constraint;
import vigil.api.model.Durations;
import vigil.api.model.Group;
import vigil.api.model.Meta;
import vigil.api.model.Operation;
import vigil.api.model.OrderKind;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.daemon.config.ConfigYaml;
import vigil.daemon.config.NodeConfig;
import vigil.raft.admin.TokenAuth;

/**
 * The administration subcommands ({@code status, resource, constraint, node, fence, config}), each a call of the
 * failover API ({@link Cluster}) of a running cluster. Every change is checked here first (unknown resource or node,
 * invalid score, order cycle...) with the same validator the cluster uses, so a bad command changes nothing and says
 * why; the cluster validates again when it commits.
 */
public final class AdminCli {
    static final Set<String> CONNECT = Set.of("cluster", "token-file", "node-config", "ca", "cert");
    private static final Path DEFAULT_NODE_CONFIG = Path.of("/etc/vigil/node.yaml");

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final ClusterConnector connector;
    private final BufferedReader stdin;

    /** @param stdin answers to confirmation prompts; null when not interactive (then {@code --yes} is required) */
    public AdminCli(PrintStream out, PrintStream err, Map<String, String> env, ClusterConnector connector, BufferedReader stdin) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.connector = connector;
        this.stdin = stdin;
    }

    public static boolean handles(String command) {
        return Set.of("status", "resource", "constraint", "node", "fence", "config", "token", "certs").contains(command);
    }

    /** Runs {@code argv} (the subcommand first); returns the exit code. Errors are thrown for the caller to print. */
    public int run(List<String> argv) {
        String cmd = argv.get(0);
        List<String> rest = argv.subList(1, argv.size());
        switch (cmd) {
            case "status": return status(rest);
            case "resource": return resource(rest);
            case "constraint": return constraint(rest);
            case "node": return node(rest);
            case "fence": return fence(rest);
            case "config": return config(rest);
            case "token": return token(rest);
            case "certs": return certs(rest);
            default: throw new UsageException("unknown command \"" + cmd + "\"");
        }
    }

    // ---- status -------------------------------------------------------------------------------------------

    private int status(List<String> argv) {
        Args a = Args.parse("status", argv, CONNECT, Set.of("json")).atMost(0);
        try (Cluster c = connect(a)) {
            ClusterState s;
            vigil.raft.admin.AdminClient.ServerInfo server = null;
            if (c instanceof vigil.raft.admin.AdminClient ac) {
                var both = ac.statusWithServer();
                s = both.state();
                server = both.server();
            } else {
                s = c.status();
            }
            if (a.flag("json")) {
                out.print(StatusView.json(s) + "\n");
            } else {
                if (server != null && server.insecure()) {
                    out.println("WARNING: INSECURE: " + server.node() + " runs without TLS (insecure: true): anyone on the network can read and forge cluster traffic");
                } else if (server != null && server.certificateExpires() != null) {
                    long days = Duration.between(java.time.Instant.now(), server.certificateExpires()).toDays();
                    out.println("Security: mutual TLS; certificate of " + server.node() + " expires " + server.certificateExpires() + " (in " + days + " days"
                            + (days < 30 ? ": renew it with 'vigil certs rotate'" : "") + ")");
                }
                out.print(StatusView.text(s));
            }
        }
        return 0;
    }

    // ---- resource -----------------------------------------------------------------------------------------

    private int resource(List<String> argv) {
        String sub = sub("resource", argv, "create, delete, update, move, clear, ban, enable, disable, cleanup");
        List<String> rest = argv.subList(1, argv.size());
        String name = "resource " + sub;
        switch (sub) {
            case "create": {
                Args a = Args.parse(name, rest, with("meta", "op", "group"), Set.of("clone", "promotable"));
                String id = a.arg(0, "resource id (vigil resource create ID TYPE [param=value ...])");
                String type = a.arg(1, "resource type, e.g. ocf:heartbeat:Dummy, kvm or drbd");
                Primitive.Builder pb = Primitive.builder(id, type);
                for (String kv : a.positional().subList(2, a.positional().size())) {
                    String[] p = keyValue(name, kv, "param");
                    pb.param(p[0], p[1]);
                }
                for (String kv : a.all("meta")) {
                    String[] p = keyValue(name, kv, "--meta");
                    pb.meta(p[0], p[1]);
                }
                for (String op : a.all("op")) pb.operation(operation(name, op));
                if (a.flag("clone") && a.flag("promotable")) throw new UsageException(name + ": give --clone or --promotable, not both");
                Primitive p = pb.build();
                Resource r = a.flag("clone") || a.flag("promotable") ? new Clone(id + "-clone", p, null, a.flag("promotable")) : p;
                String group = a.option("group").orElse(null);
                if (group != null && r instanceof Clone) throw new UsageException(name + ": a clone cannot be put in a group");
                change(a, cfg -> {
                    if (cfg.topLevelOf(id).isPresent() || cfg.topLevelOf(r.id()).isPresent()) {
                        throw new ConfigException("resources." + id, "resource \"" + id + "\" already exists", "use 'vigil resource update' or delete it first");
                    }
                    if (group == null) return cfg.toBuilder().resource(r).build();
                    Resource g = cfg.resource(group).orElse(null);
                    if (g != null && !(g instanceof Group)) {
                        throw new ConfigException("resources." + group, "\"" + group + "\" is not a group", "name a group, or a new id to create one");
                    }
                    List<Primitive> members = new ArrayList<>(g == null ? List.of() : ((Group) g).members());
                    members.add(p);
                    return cfg.toBuilder().replaceResource(new Group(group, members, g == null ? null : g.meta())).build();
                });
                out.println("created " + r.id() + (group == null ? "" : " in group " + group));
                return 0;
            }
            case "delete": {
                Args a = Args.parse(name, rest, with("wait"), Set.of("force")).atMost(1);
                String id = a.arg(0, "resource id");
                Duration wait = a.option("wait").map(v -> Durations.parse("--wait", v)).orElse(Duration.ofSeconds(60));
                try (Cluster c = connect(a)) {
                    Resource r = requireResource(c.status().config(), id);
                    deleteResource(c.status().config(), id);
                    // like pcs: stop it first, so that deleting never leaves a running orphan behind
                    if (!a.flag("force") && isActive(c.status(), r, id)) {
                        out.println("stopping " + id + " before deleting it");
                        c.disable(id);
                        long end = System.nanoTime() + wait.toNanos();
                        while (isActive(c.status(), r, id)) {
                            if (System.nanoTime() > end) {
                                throw new VigilException(id + " did not stop within " + Durations.format(wait) + "; not deleted (it stays disabled: "
                                        + "see 'vigil status', or delete it anyway with --force)");
                            }
                            sleep(Duration.ofMillis(200));
                        }
                    }
                }
                change(a, cfg -> deleteResource(cfg, id));
                out.println("deleted " + id);
                return 0;
            }
            case "update": {
                Args a = Args.parse(name, rest, with("meta", "op"), Set.of());
                String id = a.arg(0, "resource id (vigil resource update ID [param=value ...] [--meta key=value ...])");
                List<String> params = a.positional().subList(1, a.positional().size());
                if (params.isEmpty() && a.all("meta").isEmpty() && a.all("op").isEmpty()) {
                    throw new UsageException(name + ": nothing to change (give param=value, --meta key=value or --op; 'key=' removes a key)");
                }
                List<Operation> ops = new ArrayList<>();
                for (String op : a.all("op")) ops.add(operation(name, op));
                change(a, cfg -> {
                    Primitive p = primitive(cfg, id);
                    Map<String, String> pm = new LinkedHashMap<>(p.params());
                    for (String kv : params) put(pm, keyValue(name, kv, "param"));
                    Map<String, String> mm = new LinkedHashMap<>(p.meta().values());
                    for (String kv : a.all("meta")) put(mm, keyValue(name, kv, "--meta"));
                    List<Operation> newOps = new ArrayList<>(p.operations());
                    for (Operation op : ops) {
                        newOps.removeIf(o -> o.name().equals(op.name()) && o.interval().equals(op.interval()) && o.role() == op.role()
                                || o.name().equals(op.name()) && !op.isRecurring() && !o.isRecurring());
                        newOps.add(op);
                    }
                    return replacePrimitive(cfg, new Primitive(p.id(), p.type(), pm, Meta.of(mm), newOps));
                });
                out.println("updated " + id);
                return 0;
            }
            case "move":
            case "ban": {
                Args a = Args.parse(name, rest, with("lifetime"), Set.of()).atMost(2);
                String id = a.arg(0, "resource id");
                String node = a.arg(1, "node id (vigil " + name + " RESOURCE NODE [--lifetime 30min])");
                Duration lifetime = a.option("lifetime").map(v -> Durations.parse("--lifetime", v)).orElse(null);
                if (lifetime != null && (lifetime.isNegative() || lifetime.isZero())) {
                    throw new UsageException(name + ": --lifetime must be positive, e.g. 30min");
                }
                try (Cluster c = connect(a)) {
                    ClusterConfig cfg = c.status().config();
                    requireResource(cfg, id);
                    requireNode(cfg, node, sub.equals("move"));
                    Duration d = lifetime == null ? cfg.properties().moveLifetime() : lifetime;
                    if (sub.equals("move")) c.move(id, node, d); else c.ban(id, node, d);
                    out.println((sub.equals("move") ? "moving " + id + " to " : "banned " + id + " from ") + node + " for " + Durations.format(d)
                            + " ('vigil resource clear " + id + "' removes it earlier)");
                }
                return 0;
            }
            case "clear":
            case "enable":
            case "disable": {
                Args a = Args.parse(name, rest, CONNECT, Set.of()).atMost(1);
                String id = a.arg(0, "resource id");
                try (Cluster c = connect(a)) {
                    requireResource(c.status().config(), id);
                    if (sub.equals("clear")) c.clear(id);
                    else if (sub.equals("enable")) c.enable(id);
                    else c.disable(id);
                }
                out.println(switch (sub) {
                    case "clear" -> "cleared move/ban constraints of " + id;
                    case "enable" -> "enabled " + id;
                    default -> "disabled " + id;
                });
                return 0;
            }
            case "cleanup": {
                Args a = Args.parse(name, rest, with("node"), Set.of()).atMost(1);
                String id = a.arg(0, "resource id");
                String node = a.option("node").orElse(null);
                try (Cluster c = connect(a)) {
                    ClusterConfig cfg = c.status().config();
                    requireResource(cfg, id);
                    if (node != null) requireNode(cfg, node, false);
                    c.cleanup(id, node);
                }
                out.println("cleaned up " + id + (node == null ? " on all nodes" : " on " + node));
                return 0;
            }
            default:
                throw new UsageException("resource: unknown subcommand \"" + sub + "\" (use create, delete, update, move, clear, ban, enable, disable or cleanup)");
        }
    }

    static ClusterConfig deleteResource(ClusterConfig cfg, String id) {
        Resource top = requireResource(cfg, id);
        Set<String> gone = new TreeSet<>();
        ClusterConfig.Builder b = cfg.toBuilder();
        if (top.id().equals(id)) {
            b.removeResource(id);
            gone.add(id);
            top.primitives().forEach(p -> gone.add(p.id()));
            if (top instanceof Clone c) gone.add(c.child().id());
        } else if (top instanceof Group g) {
            List<Primitive> members = new ArrayList<>(g.members());
            members.removeIf(p -> p.id().equals(id));
            if (members.isEmpty()) b.removeResource(g.id()); else b.replaceResource(new Group(g.id(), members, g.meta()));
            gone.add(id);
        } else {
            throw new ConfigException("resources." + id, "\"" + id + "\" is the child of clone \"" + top.id() + "\"", "delete the clone " + top.id());
        }
        for (Constraint c : cfg.constraints()) {
            boolean names = c instanceof Constraint.Location l && gone.contains(l.resource())
                    || c instanceof Constraint.Colocation co && (gone.contains(co.resource()) || gone.contains(co.withResource()))
                    || c instanceof Constraint.Order o && (gone.contains(o.first()) || gone.contains(o.then()));
            if (names) b.removeConstraint(c.id());
        }
        return b.build();
    }

    private static boolean isActive(ClusterState s, Resource top, String id) {
        List<Primitive> ps = top.id().equals(id) ? top.primitives() : top.primitives().stream().filter(p -> p.id().equals(id)).toList();
        return ps.stream().anyMatch(p -> !s.activeNodes(p.id()).isEmpty());
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VigilException("interrupted");
        }
    }

    private static Primitive primitive(ClusterConfig cfg, String id) {
        requireResource(cfg, id);
        return cfg.primitives().filter(p -> p.id().equals(id)).findFirst().orElseThrow(() -> new ConfigException("resources." + id,
                "\"" + id + "\" is a group or clone, not a primitive", "update one of its primitives: " + cfg.resource(id).map(r -> r.primitives().stream().map(Primitive::id).toList()).orElse(List.of())));
    }

    static ClusterConfig replacePrimitive(ClusterConfig cfg, Primitive p) {
        ClusterConfig.Builder b = cfg.toBuilder();
        Resource top = cfg.topLevelOf(p.id()).orElseThrow();
        if (top instanceof Primitive) {
            b.replaceResource(p);
        } else if (top instanceof Group g) {
            b.replaceResource(new Group(g.id(), g.members().stream().map(m -> m.id().equals(p.id()) ? p : m).toList(), g.meta()));
        } else if (top instanceof Clone c) {
            Resource child = c.child() instanceof Group g
                    ? new Group(g.id(), g.members().stream().map(m -> m.id().equals(p.id()) ? p : m).toList(), g.meta()) : p;
            b.replaceResource(new Clone(c.id(), child, c.meta(), c.promotable()));
        }
        return b.build();
    }

    static Resource requireResource(ClusterConfig cfg, String id) {
        return cfg.topLevelOf(id).orElseThrow(() -> {
            Set<String> ids = new TreeSet<>();
            for (Resource r : cfg.resources()) {
                ids.add(r.id());
                if (r instanceof Clone c) ids.add(c.child().id());
                r.primitives().forEach(p -> ids.add(p.id()));
            }
            return new ConfigException("resource", "unknown resource \"" + id + "\"", ids.isEmpty() ? "no resources are configured yet; create one with 'vigil resource create'"
                    : "use one of " + ids);
        });
    }

    static void requireNode(ClusterConfig cfg, String node, boolean mustRunResources) {
        var n = cfg.node(node).orElseThrow(() -> new ConfigException("node", "unknown node \"" + node + "\"",
                "use one of " + cfg.nodes().stream().map(vigil.api.model.Node::id).toList()));
        if (mustRunResources && !n.runsResources()) {
            throw new ConfigException("node", "\"" + node + "\" is a witness and runs no resources", "name a member node");
        }
    }

    // ---- constraint ---------------------------------------------------------------------------------------

    private int constraint(List<String> argv) {
        String sub = sub("constraint", argv, "add, remove, list");
        List<String> rest = argv.subList(1, argv.size());
        String name = "constraint " + sub;
        switch (sub) {
            case "add": {
                Args a = Args.parse(name, rest, with("role", "with-role", "first-action", "then-action", "kind", "expires"), Set.of("no-symmetrical"));
                String kind = a.arg(0, "constraint type: location, colocation or order");
                Constraint c;
                switch (kind) {
                    case "location" -> {
                        a.atMost(5);
                        String usage = " (vigil constraint add location ID RESOURCE NODE SCORE [--role R])";
                        c = new Constraint.Location(a.arg(1, "constraint id" + usage), a.arg(2, "resource" + usage), a.arg(3, "node" + usage),
                                Score.parse("score", a.arg(4, "score" + usage)), a.option("role").map(r -> Role.parse("--role", r)).orElse(null),
                                a.option("expires").map(e -> java.time.Instant.parse(e)).orElse(null));
                    }
                    case "colocation" -> {
                        a.atMost(5);
                        String usage = " (vigil constraint add colocation ID RESOURCE WITH-RESOURCE SCORE [--role R] [--with-role R])";
                        c = new Constraint.Colocation(a.arg(1, "constraint id" + usage), a.arg(2, "resource" + usage), a.arg(3, "with-resource" + usage),
                                Score.parse("score", a.arg(4, "score" + usage)), a.option("role").map(r -> Role.parse("--role", r)).orElse(null),
                                a.option("with-role").map(r -> Role.parse("--with-role", r)).orElse(null));
                    }
                    case "order" -> {
                        a.atMost(4);
                        String usage = " (vigil constraint add order ID FIRST THEN [--first-action A] [--then-action A] [--kind K])";
                        Action first = a.option("first-action").map(x -> Action.parse("--first-action", x)).orElse(Action.START);
                        c = new Constraint.Order(a.arg(1, "constraint id" + usage), a.arg(2, "first resource" + usage), first, a.arg(3, "then resource" + usage),
                                a.option("then-action").map(x -> Action.parse("--then-action", x)).orElse(first),
                                a.option("kind").map(x -> OrderKind.parse("--kind", x)).orElse(OrderKind.MANDATORY), !a.flag("no-symmetrical"));
                    }
                    default -> throw new UsageException(name + ": unknown constraint type \"" + kind + "\" (use location, colocation or order)");
                }
                Constraint added = c;
                change(a, cfg -> {
                    if (cfg.constraints().stream().anyMatch(x -> x.id().equals(added.id()))) {
                        throw new ConfigException("constraints." + added.id(), "constraint \"" + added.id() + "\" already exists", "remove it first or pick another id");
                    }
                    return cfg.toBuilder().constraint(added).build();
                });
                out.println("added " + kind + " " + c.id());
                return 0;
            }
            case "remove": {
                Args a = Args.parse(name, rest, CONNECT, Set.of()).atMost(1);
                String id = a.arg(0, "constraint id");
                change(a, cfg -> {
                    if (cfg.constraints().stream().noneMatch(x -> x.id().equals(id))) {
                        throw new ConfigException("constraint", "unknown constraint \"" + id + "\"", "'vigil constraint list' shows the ids");
                    }
                    return cfg.toBuilder().removeConstraint(id).build();
                });
                out.println("removed " + id);
                return 0;
            }
            case "list": {
                Args a = Args.parse(name, rest, CONNECT, Set.of()).atMost(0);
                try (Cluster cl = connect(a)) {
                    List<Constraint> cs = cl.status().config().constraints();
                    if (cs.isEmpty()) out.println("no constraints");
                    for (Constraint c : cs) out.println(describe(c));
                }
                return 0;
            }
            default:
                throw new UsageException("constraint: unknown subcommand \"" + sub + "\" (use add, remove or list)");
        }
    }

    static String describe(Constraint c) {
        if (c instanceof Constraint.Location l) {
            return "location " + l.id() + ": " + l.resource() + (l.role() == null ? "" : " (" + l.role() + ")") + " on " + l.node() + " score " + l.score()
                    + (l.expires() == null ? "" : " until " + l.expires());
        }
        if (c instanceof Constraint.Colocation co) {
            return "colocation " + co.id() + ": " + co.resource() + (co.role() == null ? "" : " (" + co.role() + ")") + " with " + co.withResource()
                    + (co.withRole() == null ? "" : " (" + co.withRole() + ")") + " score " + co.score();
        }
        Constraint.Order o = (Constraint.Order) c;
        return "order " + o.id() + ": " + o.firstAction() + " " + o.first() + " then " + o.thenAction() + " " + o.then() + " (" + o.kind().name().toLowerCase(java.util.Locale.ROOT)
                + (o.symmetrical() ? "" : ", not symmetrical") + ")";
    }

    // ---- node / fence ------------------------------------------------------------------------------------

    private int node(List<String> argv) {
        String sub = sub("node", argv, "standby, online, maintenance, remove");
        String name = "node " + sub;
        Args a = Args.parse(name, argv.subList(1, argv.size()), CONNECT, Set.of());
        switch (sub) {
            case "standby", "online", "remove" -> a.atMost(1);
            case "maintenance" -> a.atMost(2);
            default -> throw new UsageException("node: unknown subcommand \"" + sub + "\" (use standby, online, maintenance or remove)");
        }
        String node = a.arg(0, "node id");
        if (sub.equals("remove")) {
            try (Cluster c = connect(a)) {
                requireNode(c.status().config(), node, false);
                admin(c, name).removeMember(node);
            }
            out.println(node + ": removed from the cluster (its certificate is refused from now on; to replace the host, join a new one with an empty data dir)");
            return 0;
        }
        boolean on = true;
        if (sub.equals("maintenance") && a.positional().size() > 1) {
            String v = a.positional().get(1);
            if (!v.equals("on") && !v.equals("off")) throw new UsageException(name + ": expected on or off, got \"" + v + "\"");
            on = v.equals("on");
        }
        try (Cluster c = connect(a)) {
            requireNode(c.status().config(), node, false);
            switch (sub) {
                case "standby" -> c.standby(node);
                case "online" -> c.online(node);
                default -> c.maintenance(node, on);
            }
        }
        out.println(node + ": " + (sub.equals("maintenance") ? "maintenance " + (on ? "on" : "off") : sub));
        return 0;
    }

    private int fence(List<String> argv) {
        Args a = Args.parse("fence", argv, CONNECT, Set.of()).atMost(1);
        String node = a.arg(0, "node id (vigil fence NODE)");
        try (Cluster c = connect(a)) {
            requireNode(c.status().config(), node, false);
            c.fence(node);
        }
        out.println("fencing of " + node + " requested ('vigil status' shows the result in the fencing history)");
        return 0;
    }

    // ---- config ---------------------------------------------------------------------------------------------

    private int config(List<String> argv) {
        String sub = sub("config", argv, "show, apply");
        String name = "config " + sub;
        List<String> rest = argv.subList(1, argv.size());
        if (sub.equals("show")) {
            Args a = Args.parse(name, rest, CONNECT, Set.of("show-secrets")).atMost(0);
            try (Cluster c = connect(a)) {
                // secrets are masked unless asked for, and only the admin role gets them
                out.print(ConfigYaml.format(c instanceof vigil.raft.admin.AdminClient ac ? ac.config(a.flag("show-secrets")) : c.status().config()));
            }
            return 0;
        }
        if (!sub.equals("apply")) throw new UsageException("config: unknown subcommand \"" + sub + "\" (use show or apply)");
        Args a = Args.parse(name, rest, with("f", "file"), Set.of("yes", "dry-run")).atMost(0);
        String file = a.option("f").or(() -> a.option("file")).orElseThrow(() -> new UsageException(name + ": missing -f FILE (the cluster config in YAML)"));
        ClusterConfig wanted = ConfigYaml.read(Path.of(file));
        try (Cluster c = connect(a)) {
            ClusterConfig current = c.status().config();
            String diff = ConfigDiff.diff(ConfigYaml.format(current), ConfigYaml.format(wanted));
            if (diff.isEmpty()) {
                out.println("no changes: the cluster already runs this configuration");
                return 0;
            }
            out.print(diff);
            if (a.flag("dry-run")) {
                out.println("dry run: nothing applied");
                return 0;
            }
            if (!a.flag("yes")) {
                if (stdin == null) throw new UsageException(name + ": not applied; confirm with --yes (or use --dry-run to only see the diff)");
                out.print("Apply these changes? [y/N] ");
                out.flush();
                String answer;
                try {
                    answer = stdin.readLine();
                } catch (IOException e) {
                    answer = null;
                }
                if (answer == null || !answer.trim().toLowerCase(java.util.Locale.ROOT).startsWith("y")) {
                    out.println("not applied");
                    return 1;
                }
            }
            c.updateConfig(now -> {
                if (!now.equals(current)) {
                    throw new VigilException("the configuration changed while the diff was shown; nothing applied (run 'vigil config apply' again)");
                }
                return wanted;
            });
            out.println("applied");
        }
        return 0;
    }

    // ---- token / certs -------------------------------------------------------------------------------------

    /** {@code token create [--ttl 1h] [--print-join-command]}: a one-time join token, made by the first node reached (this host's own). */
    private int token(List<String> argv) {
        String sub = sub("token", argv, "create");
        if (!sub.equals("create")) throw new UsageException("token: unknown subcommand \"" + sub + "\" (use create)");
        Args a = Args.parse("token create", argv.subList(1, argv.size()), with("ttl"), Set.of("print-join-command")).atMost(0);
        Duration ttl = a.option("ttl").map(v -> Durations.parse("--ttl", v)).orElse(Duration.ofHours(1));
        try (Cluster c = connect(a)) {
            String[] made = admin(c, "token create").createJoinToken(ttl);
            if (a.flag("print-join-command")) {
                String via = c.status().config().node(made[1]).map(vigil.raft.agent.AgentAddresses::of).orElse("HOST:PORT");
                out.println("vigil join --node ID --raft HOST:PORT --admin HOST:PORT --cluster " + via + " --token " + made[0]);
            } else {
                out.println(made[0]);
            }
            err.println("join token made on " + made[1] + ": one use, valid for " + Durations.format(ttl) + "; join through " + made[1] + "'s admin address");
        }
        return 0;
    }

    /**
     * {@code certs rotate}: this node gets a new key and certificate (signed by the cluster CA it holds), in use at
     * once. {@code certs issue NODE --host H --ca-dir DIR --out DIR}: a node certificate for a cluster whose members
     * are listed statically (embedding applications), making the CA in DIR first if there is none.
     * {@code certs client NAME [--read-only] --ca-dir DIR --out DIR}: an administration client certificate.
     */
    private int certs(List<String> argv) {
        String sub = sub("certs", argv, "rotate, issue, client");
        if (sub.equals("issue") || sub.equals("client")) {
            Args a = Args.parse("certs " + sub, argv.subList(1, argv.size()), Set.of("host", "ca-dir", "out", "cluster-name"), Set.of("read-only")).atMost(1);
            String name = a.arg(0, sub.equals("issue") ? "node id (vigil certs issue NODE --host HOST --ca-dir DIR --out DIR)"
                    : "client name (vigil certs client NAME [--read-only] --ca-dir DIR --out DIR)");
            Path caDir = Path.of(a.option("ca-dir").orElseThrow(() -> new UsageException("certs " + sub + ": missing --ca-dir DIR (where the cluster CA is, or is made)")));
            Path outDir = Path.of(a.option("out").orElseThrow(() -> new UsageException("certs " + sub + ": missing --out DIR (where the certificate and key go)")));
            vigil.raft.tls.ClusterCa ca;
            if (vigil.raft.tls.ClusterCa.existsIn(caDir)) {
                ca = vigil.raft.tls.ClusterCa.load(caDir);
            } else {
                ca = vigil.raft.tls.ClusterCa.create(a.option("cluster-name").orElse("vigil"), java.util.UUID.randomUUID());
                ca.save(caDir);
                out.println("made a new cluster CA in " + caDir + " (keep ca.key private)");
            }
            vigil.raft.tls.NodeTls issued = sub.equals("issue") ? ca.issueNode(name, a.all("host"))
                    : ca.issueClient(a.flag("read-only") ? vigil.raft.tls.PeerIdentity.Kind.READ_ONLY : vigil.raft.tls.PeerIdentity.Kind.ADMIN, name);
            issued.save(outDir);
            out.println(issued.identity() + ": certificate and key in " + outDir + ", valid until " + issued.notAfter());
            return 0;
        }
        if (!sub.equals("rotate")) throw new UsageException("certs: unknown subcommand \"" + sub + "\" (use rotate, issue or client)");
        Args a = Args.parse("certs rotate", argv.subList(1, argv.size()), CONNECT, Set.of()).atMost(0);
        try (Cluster c = connect(a)) {
            var done = admin(c, "certs rotate").rotateCertificate();
            out.println(done.node() + ": new key and certificate in use, valid until " + done.certificateExpires()
                    + " (open connections keep the old one until they reconnect)");
        }
        return 0;
    }

    private static vigil.raft.admin.AdminClient admin(Cluster c, String what) {
        if (c instanceof vigil.raft.admin.AdminClient a) return a;
        throw new VigilException(what + " needs the admin API of a cluster node");
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** Validates the changed config locally (so a bad change fails before any write), then commits it. */
    private void change(Args a, Function<ClusterConfig, ClusterConfig> f) {
        try (Cluster c = connect(a)) {
            ClusterConfig next = f.apply(c.status().config());
            ConfigValidator.structural().validate(next);
            c.updateConfig(cfg -> {
                ClusterConfig n = f.apply(cfg);
                ConfigValidator.structural().validate(n);
                return n;
            });
        }
    }

    private static String sub(String cmd, List<String> argv, String choices) {
        if (argv.isEmpty() || argv.get(0).startsWith("-")) throw new UsageException(cmd + ": missing subcommand (" + choices + ")");
        return argv.get(0);
    }

    private static Set<String> with(String... extra) {
        Set<String> s = new TreeSet<>(CONNECT);
        s.addAll(List.of(extra));
        return s;
    }

    private static String[] keyValue(String cmd, String kv, String what) {
        int eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageException(cmd + ": expected " + what + " as key=value, got \"" + kv + "\"");
        return new String[] {kv.substring(0, eq), kv.substring(eq + 1)};
    }

    private static void put(Map<String, String> m, String[] kv) {
        if (kv[1].isEmpty()) m.remove(kv[0]); else m.put(kv[0], kv[1]);
    }

    /** {@code name[:interval[:timeout[:role]]]}, e.g. {@code monitor:10s:20s} or {@code start::90s}. */
    static Operation operation(String cmd, String spec) {
        String[] p = spec.split(":", -1);
        if (p.length > 4 || p[0].isEmpty()) throw new UsageException(cmd + ": --op expects name[:interval[:timeout[:role]]], e.g. monitor:10s:20s, got \"" + spec + "\"");
        Duration interval = p.length > 1 && !p[1].isEmpty() ? Durations.parse("--op " + p[0] + " interval", p[1]) : Duration.ZERO;
        Duration timeout = p.length > 2 && !p[2].isEmpty() ? Durations.parse("--op " + p[0] + " timeout", p[2]) : null;
        Role role = p.length > 3 && !p[3].isEmpty() ? Role.parse("--op " + p[0] + " role", p[3]) : null;
        return new Operation(p[0], interval, timeout, null, role);
    }

    /**
     * Connects with {@code --cluster} / {@code --token-file} / {@code --ca} / {@code --cert}, else VIGIL_CLUSTER /
     * VIGIL_TOKEN_FILE / VIGIL_CA, else this host's node config. The server is always checked against the cluster CA
     * before the token is sent, unless the cluster is insecure ({@code --insecure} or {@code insecure: true}).
     */
    Cluster connect(Args a) {
        List<String> targets = new ArrayList<>();
        String cluster = a.option("cluster").orElse(env.get("VIGIL_CLUSTER"));
        String tokenFile = a.option("token-file").orElse(env.get("VIGIL_TOKEN_FILE"));
        String ca = a.option("ca").orElse(env.get("VIGIL_CA"));
        String certDir = a.option("cert").orElse(null);
        boolean insecure = a.flag("insecure");
        Path nodeConfig = a.option("node-config").or(() -> java.util.Optional.ofNullable(env.get("VIGIL_NODE_CONFIG"))).map(Path::of)
                .orElse(Files.isReadable(DEFAULT_NODE_CONFIG) ? DEFAULT_NODE_CONFIG : null);
        if (nodeConfig != null && (cluster == null || tokenFile == null && certDir == null || ca == null && !insecure)) {
            NodeConfig nc = NodeConfig.read(nodeConfig);
            if (cluster == null) cluster = String.join(",", nc.adminTargets());
            if (tokenFile == null && certDir == null) tokenFile = nc.tokenFile().toString();
            if (ca == null && nc.pkiDir() != null) ca = nc.pkiDir().resolve(vigil.raft.tls.ClusterCa.CA_CERT).toString();
            insecure |= nc.insecure();
        }
        if (cluster == null) {
            throw new UsageException(a.command() + ": no cluster given: pass --cluster host:port (the admin address of any node), set VIGIL_CLUSTER, or run on a node with "
                    + DEFAULT_NODE_CONFIG);
        }
        if (tokenFile == null && certDir == null) {
            throw new UsageException(a.command() + ": no credentials given: pass --token-file FILE (the cluster token that 'vigil init' wrote), --cert DIR "
                    + "(a client certificate) or set VIGIL_TOKEN_FILE");
        }
        for (String t : cluster.split(",")) {
            String target = t.trim();
            if (target.isEmpty()) continue;
            int colon = target.lastIndexOf(':');
            if (colon <= 0 || !target.substring(colon + 1).matches("[0-9]{1,5}")) {
                throw new UsageException(a.command() + ": --cluster \"" + target + "\" is not host:port (e.g. 10.0.0.1:9871)");
            }
            targets.add(target);
        }
        String token = tokenFile == null ? null : readToken(Path.of(tokenFile));
        vigil.raft.admin.AdminClient.Credentials creds;
        if (certDir != null) {
            vigil.raft.tls.NodeTls tls = vigil.raft.tls.NodeTls.load(Path.of(certDir));
            creds = new vigil.raft.admin.AdminClient.Credentials(tls.trustAnchors(), tls, token);
        } else if (insecure) {
            creds = vigil.raft.admin.AdminClient.Credentials.insecure(token);
        } else if (ca == null) {
            throw new UsageException(a.command() + ": no CA certificate to check the cluster with: pass --ca FILE (a member's pki/ca.crt) or set VIGIL_CA; "
                    + "the token is never sent to an unchecked server (an insecure lab cluster: --insecure)");
        } else {
            creds = vigil.raft.admin.AdminClient.Credentials.token(token, vigil.raft.tls.ClusterCa.readCertificates(Path.of(ca)));
        }
        return connector.connect(targets, creds);
    }

    /** The token, checked before it is sent anywhere (see {@link TokenAuth#readTokenFile}). */
    static String readToken(Path file) { return TokenAuth.readTokenFile(file); }

    PrintStream err() { return err; }
}
