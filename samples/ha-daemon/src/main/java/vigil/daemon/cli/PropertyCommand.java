package vigil.daemon.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import vigil.api.Cluster;
import vigil.api.model.ClusterProperties;
import vigil.daemon.config.ConfigYaml;

/** {@code vigil property ...}: the cluster properties, like {@code pcs property}. */
@Command(name = "property", description = "Show and set cluster properties (stonith-enabled, node-timeout, no-quorum-policy, ...), like pcs property.")
public final class PropertyCommand {
    @Spec CommandSpec spec;

    @Command(name = "set", description = "Set properties, each checked as the configuration file checks it.")
    int set(@Parameters(arity = "1..*", paramLabel = "NAME=VALUE", description = "property and value, e.g. stonith-enabled=false; other.NAME=VALUE a free-form one") List<String> settings,
            @Mixin ClusterOptions cluster) {
        String name = CliContext.commandName(spec) + " set";
        List<String[]> kvs = settings.stream().map(kv -> ConfigEdits.keyValue(name, kv, "NAME=VALUE")).toList();
        ClusterProperties check = ClusterProperties.DEFAULTS;
        for (String[] kv : kvs) check = ConfigYaml.withProperty(check, kv[0], kv[1]); // a bad name or value fails before connecting
        cluster.change(cfg -> {
            ClusterProperties p = cfg.properties();
            for (String[] kv : kvs) p = ConfigYaml.withProperty(p, kv[0], kv[1]);
            return cfg.toBuilder().properties(p).build();
        });
        for (String[] kv : kvs) CliContext.of(spec).out().println("set " + kv[0] + "=" + kv[1]);
        return 0;
    }

    @Command(name = "unset", description = "Put properties back to their defaults.")
    int unset(@Parameters(arity = "1..*", paramLabel = "NAME", description = "property name") List<String> names, @Mixin ClusterOptions cluster) {
        for (String n : names) ConfigYaml.withDefault(ClusterProperties.DEFAULTS, n);
        cluster.change(cfg -> {
            ClusterProperties p = cfg.properties();
            for (String n : names) p = ConfigYaml.withDefault(p, n);
            return cfg.toBuilder().properties(p).build();
        });
        for (String n : names) CliContext.of(spec).out().println("unset " + n);
        return 0;
    }

    @Command(name = "show", aliases = "config", description = "Every property (or the named ones) with its value.")
    int show(@Parameters(arity = "0..*", paramLabel = "NAME", description = "only these properties") List<String> names, @Mixin ClusterOptions cluster) {
        try (Cluster c = cluster.connect()) {
            Map<String, Object> values = ConfigYaml.propertyValues(c.status().config().properties());
            for (var e : values.entrySet()) {
                if (names != null && !names.isEmpty() && !names.contains(e.getKey())) continue;
                if (e.getValue() instanceof Map<?, ?> other) {
                    other.forEach((k, v) -> CliContext.of(spec).out().println("other." + k + ": " + v));
                } else {
                    CliContext.of(spec).out().println(e.getKey() + ": " + e.getValue());
                }
            }
        }
        return 0;
    }
}
