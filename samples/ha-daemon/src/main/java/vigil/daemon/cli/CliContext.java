package vigil.daemon.cli;

import java.io.BufferedReader;
import java.io.PrintStream;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What a command needs from its surroundings: where it prints, the environment, how it reaches a cluster, and
 * answers to confirmation prompts ({@code stdin} null when not interactive, then {@code --yes} is required).
 */
public record CliContext(PrintStream out, PrintStream err, Map<String, String> env, ClusterConnector connector, BufferedReader stdin) {

    /** Implemented by the root command, so that every command of a run reaches the same context. */
    public interface Holder {
        CliContext context();
    }

    /** The context of the run {@code spec} belongs to. */
    public static CliContext of(CommandSpec spec) { return ((Holder) spec.root().userObject()).context(); }

    /** A command's name as the user typed it, without the program name: {@code resource move}. */
    public static String commandName(CommandSpec spec) {
        String q = spec.qualifiedName(" ");
        int space = q.indexOf(' ');
        return space < 0 ? "" : q.substring(space + 1);
    }
}
