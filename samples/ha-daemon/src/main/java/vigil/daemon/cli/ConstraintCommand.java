package vigil.daemon.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import vigil.api.Cluster;
import vigil.api.ConfigException;
import vigil.api.model.Action;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Constraint;
import vigil.api.model.OrderKind;
import vigil.api.model.Role;
import vigil.api.model.Score;

/**
 * {@code vigil constraint ...}: like {@code pcs constraint}. The id of a new constraint is optional; without one it is
 * made as pcs makes it ({@code location-d1-n3-100}, {@code colocation-vip-vm1-INFINITY}, {@code order-d1-d2-mandatory}).
 */
@Command(name = "constraint", description = "Add, remove and list location, colocation and order constraints (like pcs constraint).",
        subcommands = ConstraintCommand.Add.class)
public final class ConstraintCommand {
    @Spec CommandSpec spec;

    /** {@code constraint add location|colocation|order ...} */
    @Command(name = "add", description = "Add a location, colocation or order constraint.")
    static final class Add {
        @Spec CommandSpec spec;

        @Command(name = "location", description = "RESOURCE prefers (positive SCORE) or avoids (negative) NODE.")
        int location(@Parameters(arity = "3..4", hideParamSyntax = true, paramLabel = "[ID] RESOURCE NODE SCORE", description = "constraint id (optional), resource, node and score (an integer, INFINITY or -INFINITY)") List<String> args,
                     @Option(names = "--role", paramLabel = "ROLE", description = "Only for this role (Promoted, Unpromoted, Started).") String role,
                     @Option(names = "--expires", paramLabel = "INSTANT", description = "When it expires (ISO-8601, e.g. 2026-12-31T00:00:00Z).") String expires,
                     @Mixin ClusterOptions cluster) {
            int o = args.size() - 3;
            Score score = Score.parse("score", args.get(o + 2));
            Role r = role == null ? null : Role.parse("--role", role);
            Instant until = expires == null ? null : parseInstant(expires);
            return add(cluster, "location", cfg -> new Constraint.Location(o == 1 ? args.get(0)
                    : ConfigEdits.constraintId(cfg, "location-" + args.get(o) + "-" + args.get(o + 1) + "-" + score), args.get(o), args.get(o + 1), score, r, until));
        }

        @Command(name = "colocation", description = "Place RESOURCE where WITH-RESOURCE runs (positive SCORE) or away from it (negative).")
        int colocation(@Parameters(arity = "3..4", hideParamSyntax = true, paramLabel = "[ID] RESOURCE WITH-RESOURCE SCORE", description = "constraint id (optional), resource, the resource it follows, and score") List<String> args,
                       @Option(names = "--role", paramLabel = "ROLE", description = "Only for this role of RESOURCE.") String role,
                       @Option(names = "--with-role", paramLabel = "ROLE", description = "Only with this role of WITH-RESOURCE (e.g. Promoted).") String withRole,
                       @Mixin ClusterOptions cluster) {
            int o = args.size() - 3;
            Score score = Score.parse("score", args.get(o + 2));
            Role r = role == null ? null : Role.parse("--role", role);
            Role wr = withRole == null ? null : Role.parse("--with-role", withRole);
            return add(cluster, "colocation", cfg -> new Constraint.Colocation(o == 1 ? args.get(0)
                    : ConfigEdits.constraintId(cfg, "colocation-" + args.get(o) + "-" + args.get(o + 1) + "-" + score), args.get(o), args.get(o + 1), score, r, wr));
        }

        @Command(name = "order", description = "Act on FIRST before THEN (start FIRST, then start THEN; stop in reverse when symmetrical).")
        int order(@Parameters(arity = "2..3", hideParamSyntax = true, paramLabel = "[ID] FIRST THEN", description = "constraint id (optional), first and then resource") List<String> args,
                  @Option(names = "--first-action", paramLabel = "ACTION", description = "start (default), stop, promote or demote.") String firstAction,
                  @Option(names = "--then-action", paramLabel = "ACTION", description = "Default: the first action.") String thenAction,
                  @Option(names = "--kind", paramLabel = "KIND", description = "Mandatory (default), Optional or Serialize.") String kind,
                  @Option(names = "--no-symmetrical", description = "Do not stop in reverse order.") boolean notSymmetrical,
                  @Mixin ClusterOptions cluster) {
            int o = args.size() - 2;
            Action first = firstAction == null ? Action.START : Action.parse("--first-action", firstAction);
            Action then = thenAction == null ? first : Action.parse("--then-action", thenAction);
            OrderKind k = kind == null ? OrderKind.MANDATORY : OrderKind.parse("--kind", kind);
            return add(cluster, "order", cfg -> new Constraint.Order(o == 1 ? args.get(0)
                    : ConfigEdits.constraintId(cfg, "order-" + args.get(o) + "-" + args.get(o + 1) + "-" + k.name().toLowerCase(Locale.ROOT)),
                    args.get(o), first, args.get(o + 1), then, k, !notSymmetrical));
        }

        private int add(ClusterOptions cluster, String kind, java.util.function.Function<ClusterConfig, Constraint> make) {
            String[] added = new String[1];
            cluster.change(cfg -> {
                Constraint c = make.apply(cfg);
                if (cfg.constraints().stream().anyMatch(x -> x.id().equals(c.id()))) {
                    throw new ConfigException("constraints." + c.id(), "constraint \"" + c.id() + "\" already exists", "remove it first or pick another id");
                }
                added[0] = c.id();
                return cfg.toBuilder().constraint(c).build();
            });
            CliContext.of(spec).out().println("added " + kind + " " + added[0]);
            return 0;
        }
    }

    @Command(name = "location", description = "pcs' short form: RESOURCE prefers NODE[=SCORE]... (default INFINITY) or avoids NODE[=SCORE]... (default -INFINITY).")
    int location(@Parameters(index = "0", paramLabel = "RESOURCE", description = "resource id") String resource,
                 @Parameters(index = "1", paramLabel = "prefers|avoids", description = "prefers or avoids") String verb,
                 @Parameters(index = "2..*", arity = "1..*", paramLabel = "NODE[=SCORE]", description = "node and score (avoids n2=50 means -50)") List<String> nodes,
                 @Option(names = "--role", paramLabel = "ROLE", description = "Only for this role (Promoted, Unpromoted, Started).") String role,
                 @Mixin ClusterOptions cluster) {
        String name = CliContext.commandName(spec) + " location";
        boolean prefers = switch (verb) {
            case "prefers" -> true;
            case "avoids" -> false;
            default -> throw new UsageException(name + ": expected prefers or avoids after the resource, got \"" + verb + "\"");
        };
        Role r = role == null ? null : Role.parse("--role", role);
        List<String[]> wanted = new ArrayList<>();
        for (String item : nodes) {
            int eq = item.indexOf('=');
            String node = eq < 0 ? item : item.substring(0, eq);
            Score s = eq < 0 ? Score.INFINITY : Score.parse("score of " + node, item.substring(eq + 1));
            if (!prefers) s = s.isInfinity() ? Score.MINUS_INFINITY : s.isMinusInfinity() ? Score.INFINITY : Score.of(-s.value());
            wanted.add(new String[] {node, s.toString()});
        }
        List<String> ids = new ArrayList<>();
        cluster.change(cfg -> {
            ids.clear();
            ConfigEdits.requireResource(cfg, resource);
            ClusterConfig.Builder b = cfg.toBuilder();
            for (String[] w : wanted) {
                ConfigEdits.requireNode(cfg, w[0], false);
                String id = ConfigEdits.constraintId(b.build(), "location-" + resource + "-" + w[0] + "-" + w[1]);
                b.constraint(new Constraint.Location(id, resource, w[0], Score.parse("score", w[1]), r, null));
                ids.add(id);
            }
            return b.build();
        });
        for (String id : ids) CliContext.of(spec).out().println("added location " + id);
        return 0;
    }

    @Command(name = "remove", description = "Remove a constraint by id (see vigil constraint list).")
    int remove(@Parameters(paramLabel = "ID", description = "constraint id") String id, @Mixin ClusterOptions cluster) {
        cluster.change(cfg -> {
            if (cfg.constraints().stream().noneMatch(x -> x.id().equals(id))) {
                throw new ConfigException("constraint", "unknown constraint \"" + id + "\"", "'vigil constraint list' shows the ids");
            }
            return cfg.toBuilder().removeConstraint(id).build();
        });
        CliContext.of(spec).out().println("removed " + id);
        return 0;
    }

    @Command(name = "list", description = "Every constraint, one per line.")
    int list(@Mixin ClusterOptions cluster) {
        try (Cluster c = cluster.connect()) {
            List<Constraint> cs = c.status().config().constraints();
            if (cs.isEmpty()) CliContext.of(spec).out().println("no constraints");
            for (Constraint x : cs) CliContext.of(spec).out().println(describe(x));
        }
        return 0;
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
        return "order " + o.id() + ": " + o.firstAction() + " " + o.first() + " then " + o.thenAction() + " " + o.then() + " ("
                + o.kind().name().toLowerCase(Locale.ROOT) + (o.symmetrical() ? "" : ", not symmetrical") + ")";
    }

    private static Instant parseInstant(String text) {
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new UsageException("--expires: \"" + text + "\" is not an ISO-8601 instant (e.g. 2026-12-31T00:00:00Z)");
        }
    }
}
