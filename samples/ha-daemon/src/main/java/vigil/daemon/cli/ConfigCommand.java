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
import vigil.api.VigilException;
import vigil.api.model.ClusterConfig;
import vigil.daemon.config.ConfigYaml;
import vigil.raft.admin.AdminClient;

/** {@code vigil config show|apply}: the whole cluster configuration as YAML. */
@Command(name = "config", description = "Show the whole cluster configuration as YAML, or apply a file: validated, the diff shown, then exactly that diff applied.")
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

    @Command(name = "apply", description = "Validate a configuration file, show its diff against the cluster's, and apply it (after a prompt, or --yes).")
    int apply(@Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "the cluster config in YAML") Path file,
              @Option(names = "--yes", description = "Apply without asking.") boolean yes,
              @Option(names = "--dry-run", description = "Only show the diff.") boolean dryRun,
              @Mixin ClusterOptions cluster) {
        CliContext ctx = CliContext.of(spec);
        PrintStream out = ctx.out();
        ClusterConfig wanted = ConfigYaml.read(file);
        try (Cluster c = cluster.connect()) {
            ClusterConfig current = c.status().config();
            String diff = ConfigDiff.diff(ConfigYaml.format(current), ConfigYaml.format(wanted));
            if (diff.isEmpty()) {
                out.println("no changes: the cluster already runs this configuration");
                return 0;
            }
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
}
