package vigil.daemon.cli;

import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vigil.api.Cluster;
import vigil.api.model.Durations;
import vigil.raft.agent.AgentAddresses;

/** {@code vigil token create}: a one-time join token, like {@code kubeadm token create}. */
@Command(name = "token", description = "One-time join tokens for hosts that join the cluster.")
public final class TokenCommand {
    @Spec CommandSpec spec;

    @Command(name = "create", description = "A one-time join token, made by the first node reached (this host's own); it pins the cluster CA.")
    int create(@Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h", description = "How long the token is valid (default: ${DEFAULT-VALUE}).") String ttlText,
               @Option(names = "--print-join-command", description = "Print the whole 'vigil join' command line, not only the token.") boolean printJoinCommand,
               @Mixin ClusterOptions cluster) {
        CliContext ctx = CliContext.of(spec);
        Duration ttl = Durations.parse("--ttl", ttlText);
        try (Cluster c = cluster.connect()) {
            String[] made = ClusterOptions.admin(c, "token create").createJoinToken(ttl);
            if (printJoinCommand) {
                String via = c.status().config().node(made[1]).map(AgentAddresses::of).orElse("HOST:PORT");
                ctx.out().println("vigil join --node ID --raft HOST:PORT --admin HOST:PORT --cluster " + via + " --token " + made[0]);
            } else {
                ctx.out().println(made[0]);
            }
            ctx.err().println("join token made on " + made[1] + ": one use, valid for " + Durations.format(ttl) + "; join through " + made[1] + "'s admin address");
        }
        return 0;
    }
}
