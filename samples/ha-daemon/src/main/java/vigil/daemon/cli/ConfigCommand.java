package vigil.daemon.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vigil.api.Cluster;
import vigil.api.ConfigException;
import vigil.api.model.ClusterConfig;
import vigil.api.status.ClusterState;
import vigil.daemon.config.ConfigUpdate;
import vigil.daemon.config.ConfigYaml;
import vigil.raft.admin.AdminClient;

/** {@code vigil config show|apply}: the whole cluster configuration as YAML. */
@Command(name = "config", description = "Show the whole cluster configuration as YAML, or apply a file: only its sections and ids, validated, the diff shown, "
        + "then exactly that diff applied.")
public final class ConfigCommand {
    @Spec CommandSpec spec;

    @Command(name = "show", description = "The whole configuration as YAML (the format of config apply); secret parameters masked as ******.")
    int show(@Option(names = "--show-secrets", description = "Show secret parameters too (admin role only).") boolean showSecrets,
             @Mixin ClusterOptions cluster) {
        try (Cluster c = cluster.connect()) {
            // secrets are masked unless asked for, and only the admin role gets them
            CliContext.of(spec).out().print(ConfigYaml.format(c instanceof AdminClient ac ? ac.config(showSecrets) : c.status().config()));
        }
        return 0;
    }

    @Command(name = "apply", description = "Update the cluster with a configuration file, like crm configure load update: only the sections and ids it holds "
            + "change (--replace: the whole configuration becomes the file); validated, refused when it removes an online node, this host's node or half the "
            + "voters, the diff shown, and applied (after a prompt, or --yes) only if nobody changed the configuration meanwhile.")
    int apply(@Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "the cluster config in YAML") Path file,
              @Option(names = "--yes", description = "Apply without asking.") boolean yes,
              @Option(names = "--dry-run", description = "Only show the diff.") boolean dryRun,
              @Option(names = "--replace", description = "Replace the whole configuration with the file (what it does not hold is removed).") boolean replace,
              @Mixin ClusterOptions cluster) {
        CliContext ctx = CliContext.of(spec);
        PrintStream out = ctx.out();
        // the file is parsed first, so that a bad file fails before any connection
        ClusterConfig whole = replace ? ConfigYaml.read(file) : null;
        ConfigUpdate update = replace ? null : ConfigUpdate.read(file);
        try (Cluster c = cluster.connect()) {
            ClusterState state = c.status();
            ClusterConfig current = state.config();
            ClusterConfig wanted = replace ? whole : update.applyTo(current);
            ConfigApply.refuseIfUnsafe(state, wanted, cluster.localNodeOrNull());
            String diff = ConfigDiff.diff(ConfigYaml.format(current), ConfigYaml.format(wanted));
            if (diff.isEmpty()) {
                out.println("no changes: the cluster already runs this configuration");
                return 0;
            }
            out.println(replace ? "replacing the whole configuration (config version " + state.configVersion() + "):"
                    : "updating " + String.join(", ", update.sections()) + " (config version " + state.configVersion()
                            + "; other sections and ids stay as they are, --replace replaces everything):");
            out.print(diff);
            if (dryRun) {
                out.println("dry run: nothing applied");
                return 0;
            }
            if (!yes) {
                if (ctx.stdin() == null) {
                    throw new UsageException(CliContext.commandName(spec) + " apply: not applied; confirm with --yes (or use --dry-run to only see the diff)");
                }
                out.print("Apply these changes? [y/N] ");
                out.flush();
                String answer;
                try {
                    answer = ctx.stdin().readLine();
                } catch (IOException e) {
                    answer = null;
                }
                if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).startsWith("y")) {
                    out.println("not applied");
                    return 1;
                }
            }
            try {
                c.applyConfig(wanted, state.configVersion());
            } catch (ConfigException e) {
                throw ConfigApply.changedMeanwhile(e, state.configVersion());
            }
            out.println("applied");
        }
        return 0;
    }
}
