package vigil.daemon;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import vigil.api.VigilException;
import vigil.daemon.cli.AdminCli;
import vigil.daemon.cli.ClusterConnector;
import vigil.daemon.cli.UsageException;
import vigil.daemon.logging.Logging;
import vigil.raft.admin.AdminClient;

/**
 * {@code vigil}: the daemon and the administration commands. Exit codes: 0 success, 1 the operation failed (the
 * message says why and what to do), 2 the command line is wrong.
 */
public final class Main {
    static final String USAGE = """
            usage: vigil COMMAND [ARGS]

              daemon --config FILE                 run this node (member or witness) from its node config
              init --node ID --raft HOST:PORT --admin HOST:PORT [--http HOST:PORT] [--witness]
                   [--dir DIR] [--data-dir DIR] [--cluster-config FILE] [--cluster-name NAME] [--insecure]
                                                   bootstrap a cluster: DIR/node.yaml, a random cluster id, the
                                                   cluster CA and this node's certificate (DIR/pki), the token
              join --node ID --raft HOST:PORT --admin HOST:PORT [--http HOST:PORT] [--witness] [--dir DIR]
                   --cluster HOST:PORT --token TOKEN
                                                   add this host to a running cluster: checks it against the token's
                                                   CA pin, gets a certificate for its own key, writes its node config
              token create [--ttl 1h] [--print-join-command]   a one-time join token (run on a member)
              certs rotate                         this node: a new key and certificate, without downtime
              status [--json]                      quorum, leader, nodes, resources, failures, fencing
              resource create ID TYPE [key=value ...] [--meta k=v] [--op name:interval:timeout] [--clone|--promotable] [--group G]
              resource delete ID [--wait 60s] [--force]     (stops it first, unless --force)
              resource clear|enable|disable ID
              resource update ID [key=value ...] [--meta k=v] [--op ...]     (key= removes a key)
              resource move|ban ID NODE [--lifetime 30min]   (expires; default: the move-lifetime property)
              resource cleanup ID [--node NODE]
              constraint add location ID RESOURCE NODE SCORE [--role R]
              constraint add colocation ID RESOURCE WITH-RESOURCE SCORE [--role R] [--with-role R]
              constraint add order ID FIRST THEN [--first-action A] [--then-action A] [--kind K] [--no-symmetrical]
              constraint remove ID | constraint list
              node standby|online NODE | node maintenance NODE [on|off]
              node remove NODE                     remove a member (refused while it runs resources or without a majority)
              fence NODE
              config show [--show-secrets] | config apply -f FILE [--yes] [--dry-run]
              simulate ...                         the scheduler on a CIB or config (see vigil simulate --help)
              simulate-compare [--dir DIR] [--live|--record] [--update-floor]   agreement with crm_simulate (see --help)
              bench scheduler|commits|failover ... benchmarks
              drbd resolve ...                     DRBD split-brain resolution
              demo                                 a local 3-node cluster: kill the active node, watch fencing and failover
              chaos --schedules N --seed S [--nodes 3|5]   seeded fault injection against a local cluster

            Commands that talk to a cluster take --cluster HOST:PORT[,HOST:PORT] (admin address; env VIGIL_CLUSTER),
            --token-file FILE (env VIGIL_TOKEN_FILE) or --cert DIR (a client certificate), and --ca FILE (the cluster's
            pki/ca.crt, env VIGIL_CA: the server is checked before the token is sent; --insecure for an insecure lab
            cluster); on a node they default to /etc/vigil/node.yaml.
            """;

    /** Subcommands provided by other modules, run through their static {@code run(String[], PrintStream, PrintStream)}. */
    static final Map<String, String> DELEGATES = Map.of(
            "demo", "vigil.lab.Demo",
            "chaos", "vigil.lab.Chaos",
            "bench failover", "vigil.lab.FailoverBench",
            "simulate", "vigil.engine.simulate.SimulateCommand",
            "simulate-compare", "vigil.engine.simulate.CompareCommand",
            "bench scheduler", "vigil.engine.simulate.SchedulerBenchCommand",
            "bench commits", "vigil.raft.bench.CommitBench",
            "drbd resolve", "vigil.storage.DrbdCommand");

    private Main() {}

    public static void main(String[] args) {
        try {
            // before anything logs: a node logs at INFO, a command only its warnings
            Logging.init(args.length > 0 && args[0].equals("daemon") ? "INFO" : "WARN");
        } catch (VigilException e) {
            System.err.println("vigil: " + e.getMessage());
            System.exit(2);
        }
        BufferedReader stdin = System.console() == null ? null : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int code = run(args, System.out, System.err, System.getenv(), (t, c) -> AdminClient.connect(t, c, java.time.Duration.ofSeconds(30)), stdin);
        System.out.flush();
        System.exit(code);
    }

    /** The entry point for launchers and tests: runs one command, returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, System.getenv(), (t, c) -> AdminClient.connect(t, c, java.time.Duration.ofSeconds(30)), null);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, ClusterConnector connector, BufferedReader stdin) {
        List<String> argv = Arrays.asList(args);
        try {
            if (argv.isEmpty() || List.of("help", "--help", "-h").contains(argv.get(0))) {
                (argv.isEmpty() ? err : out).print(USAGE);
                return argv.isEmpty() ? 2 : 0;
            }
            String cmd = argv.get(0);
            List<String> rest = argv.subList(1, argv.size());
            if (cmd.equals("daemon")) return Daemon.run(rest, out, err);
            if (cmd.equals("init") || cmd.equals("join")) return new Setup(out, env, connector).run(cmd, rest);
            if (AdminCli.handles(cmd)) return new AdminCli(out, err, env, connector, stdin).run(argv);
            if (List.of("simulate", "simulate-compare", "demo", "chaos").contains(cmd)) return delegate(cmd, rest, out, err);
            if (cmd.equals("bench") || cmd.equals("drbd")) {
                if (rest.isEmpty()) throw new UsageException(cmd + ": missing subcommand (" + (cmd.equals("bench") ? "scheduler, commits, failover" : "resolve") + ")");
                String name = cmd + " " + rest.get(0);
                if (!DELEGATES.containsKey(name)) throw new UsageException("unknown command \"" + name + "\" (see vigil --help)");
                return delegate(name, rest.subList(1, rest.size()), out, err);
            }
            throw new UsageException("unknown command \"" + cmd + "\" (see vigil --help)");
        } catch (UsageException e) {
            err.println("vigil: " + e.getMessage());
            err.println("run 'vigil --help' for usage");
            return 2;
        } catch (VigilException e) {
            err.println("vigil: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println("vigil: unexpected error: " + e);
            return 1;
        }
    }

    /** Runs another module's command by name, so a build without that module says so instead of failing to compile. */
    static int delegate(String name, List<String> args, PrintStream out, PrintStream err) {
        return delegate(name, DELEGATES.get(name), args, out, err);
    }

    static int delegate(String name, String className, List<String> args, PrintStream out, PrintStream err) {
        Method run;
        try {
            run = Class.forName(className).getMethod("run", String[].class, PrintStream.class, PrintStream.class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            err.println("vigil: '" + name + "' is not available in this build (" + className + " is missing from the classpath)");
            return 1;
        }
        try {
            return (Integer) run.invoke(null, args.toArray(new String[0]), out, err);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof VigilException) {
                err.println("vigil: " + cause.getMessage());
                return 1;
            }
            err.println("vigil: " + name + " failed: " + cause);
            return 1;
        } catch (IllegalAccessException e) {
            err.println("vigil: '" + name + "' cannot be run: " + e.getMessage());
            return 1;
        }
    }
}
