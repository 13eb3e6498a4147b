package vigil.daemon;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;
import vigil.api.VigilException;
import vigil.daemon.cli.CliContext;
import vigil.daemon.cli.ClusterConnector;
import vigil.daemon.cli.ConfigCommand;
import vigil.daemon.cli.ConstraintCommand;
import vigil.daemon.cli.FenceCommand;
import vigil.daemon.cli.NodeCommand;
import vigil.daemon.cli.PropertyCommand;
import vigil.daemon.cli.ResourceCommand;
import vigil.daemon.cli.StatusCommand;
import vigil.daemon.cli.StonithCommand;
import vigil.daemon.cli.TokenCommand;
import vigil.daemon.cli.CertsCommand;
import vigil.daemon.cli.ToolCommands;
import vigil.daemon.cli.UsageException;

/**
 * {@code vigil}: the daemon and the administration commands, a tree of picocli commands. Exit codes: 0 done, 1 the
 * operation failed (the message says why and what to do), 2 the command line is wrong. {@code --help} works on every
 * command and subcommand and runs nothing.
 */
@Command(name = "vigil", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, versionProvider = VigilCommand.Version.class,
        usageHelpAutoWidth = true, sortOptions = false,
        subcommands = {HelpCommand.class, Daemon.Run.class, Setup.Init.class, Setup.Join.class, TokenCommand.class, CertsCommand.class, StatusCommand.class, ResourceCommand.class,
                ConstraintCommand.class, NodeCommand.class, PropertyCommand.class, StonithCommand.class, FenceCommand.class, ConfigCommand.class,
                ToolCommands.Simulate.class, ToolCommands.SimulateCompare.class, ToolCommands.Bench.class, ToolCommands.Drbd.class,
                ToolCommands.Demo.class, ToolCommands.Chaos.class},
        description = "Runs a Vigil cluster node and administers a running cluster, like pcs / crm with Pacemaker.",
        footerHeading = "%n",
        footer = "Exit codes: 0 done, 1 the operation failed, 2 the command line is wrong.")
public final class VigilCommand implements Callable<Integer>, CliContext.Holder {
    @Spec CommandSpec spec;

    private final CliContext context;

    /** For tools that inspect the command tree (completion and man page generators); prints to System.out/err. */
    public VigilCommand() {
        this(new CliContext(System.out, System.err, System.getenv(), Main.ADMIN_API, null));
    }

    public VigilCommand(CliContext context) { this.context = context; }

    @Override
    public CliContext context() { return context; }

    /** {@code vigil} alone: the usage, and exit code 2 (a command is missing). */
    @Override
    public Integer call() {
        spec.commandLine().usage(context.err());
        return 2;
    }

    /** The command tree of one run, wired to {@code context}'s streams, with Vigil's messages and exit codes for errors. */
    public static CommandLine commandLine(CliContext context) {
        CommandLine cl = new CommandLine(new VigilCommand(context));
        cl.setOut(new PrintWriter(context.out(), true));
        cl.setErr(new PrintWriter(context.err(), true));
        cl.setParameterExceptionHandler((ex, args) -> usageError(context.err(), ex.getCommandLine().getCommandSpec(), message(ex)));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof UsageException) return usageError(context.err(), cmd.getCommandSpec(), ex.getMessage());
            if (ex instanceof VigilException) {
                context.err().println("vigil: " + ex.getMessage());
                return 1;
            }
            context.err().println("vigil: unexpected error: " + ex);
            return 1;
        });
        return cl;
    }

    /** Runs one command line; returns its exit code. */
    public static int run(String[] args, CliContext context) {
        return commandLine(context).execute(numbersNotOptions(args));
    }

    /** The classic entry point of launchers and tests. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, ClusterConnector connector, BufferedReader stdin) {
        return run(args, new CliContext(out, err, env, connector, stdin));
    }

    private static int usageError(PrintStream err, CommandSpec spec, String message) {
        String name = CliContext.commandName(spec);
        String prefix = name.isEmpty() || message.startsWith(name + ":") ? "" : name + ": ";
        err.println("vigil: " + prefix + message);
        err.println("run 'vigil " + (name.isEmpty() ? "" : name + " ") + "--help' for usage");
        return 2;
    }

    /** The problem in Vigil's words: unknown command "x", unknown option --y (known: ...), missing node id. */
    static String message(ParameterException ex) {
        CommandSpec spec = ex.getCommandLine().getCommandSpec();
        if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            if (!spec.subcommands().isEmpty() && arg.startsWith("-")) return missingSubcommand(spec); // options belong after the subcommand
            if (arg.startsWith("-") && arg.length() > 1) {
                TreeSet<String> known = new TreeSet<>();
                for (OptionSpec o : spec.options()) if (!o.usageHelp() && !o.versionHelp()) known.add(o.longestName());
                return "unknown option " + arg + (known.isEmpty() ? " (it takes none)" : " (known: " + String.join(", ", known) + ")");
            }
            if (!spec.subcommands().isEmpty()) {
                String name = CliContext.commandName(spec);
                return "unknown command \"" + (name.isEmpty() ? "" : name + " ") + arg + "\"";
            }
            return "unexpected argument \"" + arg + "\"";
        }
        if (ex instanceof MissingParameterException m && !m.getMissing().isEmpty()) {
            ArgSpec a = m.getMissing().get(0);
            String what = a.description().length == 0 ? "" : a.description()[0];
            if (a instanceof OptionSpec o) return "missing " + o.longestName() + " " + o.paramLabel() + (what.isEmpty() ? "" : " (" + what + ")");
            return "missing " + (what.isEmpty() ? a.paramLabel() : what);
        }
        if (ex.getMessage().equals("Missing required subcommand")) return missingSubcommand(spec);
        String m = ex.getMessage();
        return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    private static String missingSubcommand(CommandSpec spec) {
        return "missing subcommand (" + String.join(", ", spec.subcommands().keySet()) + ")";
    }

    /**
     * A score such as {@code -INFINITY} is an argument, not an unknown option: picocli recognizes Java's spelling of a
     * negative number, so it gets that ({@code -Infinity}, which {@link vigil.api.model.Score} reads the same).
     */
    static String[] numbersNotOptions(String[] args) {
        List<String> out = new ArrayList<>(args.length);
        for (String a : args) out.add(a.matches("(?i)-inf(inity)?") ? "-Infinity" : a);
        return out.toArray(new String[0]);
    }

    /** {@code vigil --version}: the version this build was made from. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws Exception {
            Properties p = new Properties();
            try (InputStream in = VigilCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) p.load(in);
            }
            return new String[] {"vigil " + p.getProperty("version", "(unknown version)")};
        }
    }
}
