package vigil.daemon;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import vigil.api.VigilException;
import vigil.daemon.cli.ClusterConnector;
import vigil.daemon.logging.Logging;
import vigil.raft.admin.AdminClient;

/**
 * {@code vigil}: the daemon and the administration commands ({@link VigilCommand}). Exit codes: 0 success, 1 the
 * operation failed (the message says why and what to do), 2 the command line is wrong.
 */
public final class Main {
    /** The admin gRPC API of the cluster's nodes; 30 s for an answer, as a node in an election may take. */
    static final ClusterConnector ADMIN_API = (targets, credentials) -> AdminClient.connect(targets, credentials, Duration.ofSeconds(30));

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
        int code = run(args, System.out, System.err, System.getenv(), ADMIN_API, stdin);
        System.out.flush();
        System.exit(code);
    }

    /** The entry point for launchers and tests: runs one command, returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, System.getenv(), ADMIN_API, null);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, ClusterConnector connector, BufferedReader stdin) {
        return VigilCommand.run(args, out, err, env, connector, stdin);
    }
}
