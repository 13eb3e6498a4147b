package vigil.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import vigil.daemon.cli.CliContext;

/**
 * Walks the whole command tree and asks every command and subcommand for {@code --help}: each exits 0, prints its
 * usage, and starts nothing - no process, no listening port, no file, no connection to a cluster. (Once, {@code
 * chaos --help} started a chaos run.)
 */
class CommandTreeHelpTest {
    record Result(int code, String out, String err) {}

    /**
     * The walk runs in a JVM of its own whose temporary and working directory is an empty directory of this test, so
     * that a file any command wrote would show there (this machine's /tmp is shared with other processes).
     */
    @Test
    void everyCommand_help_printsUsage_exits0_andStartsNothing(@TempDir Path empty) throws Exception {
        Path log = empty.getParent().resolve(empty.getFileName() + ".log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.io.tmpdir=" + empty,
                "-cp", System.getProperty("java.class.path"), Walk.class.getName())
                .directory(empty.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int code = p.waitFor();
        String out = Files.readString(log);
        Files.delete(log);
        assertEquals(0, code, out);
        assertTrue(out.matches("(?s).*walked \\d+ commands\n"), out);
        try (Stream<Path> files = Files.list(empty)) {
            assertEquals(List.of(), files.toList(), "a --help wrote a file");
        }
        assertFalse(Files.exists(Path.of("/etc/vigil/node.yaml")) && Files.getLastModifiedTime(Path.of("/etc/vigil/node.yaml")).toMillis()
                > System.currentTimeMillis() - 600_000, "a --help wrote /etc/vigil/node.yaml");
    }

    /** Asks every command for --help (and -h, and 'vigil help COMMAND'), checking each answer and that nothing started. */
    public static final class Walk {
        public static void main(String[] args) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CommandLine cl = VigilCommand.commandLine(context(out, err)); // one tree for every run, as picocli allows
            List<List<String>> paths = new ArrayList<>();
            collect(cl, new ArrayList<>(), paths);
            check(paths.size() > 40, "the tree has every command and subcommand: " + paths);
            Set<Long> listeningBefore = listeningSockets();
            for (List<String> path : paths) {
                String name = String.join(" ", path);
                for (String help : List.of("--help", "-h")) {
                    List<String> argv = new ArrayList<>(path);
                    argv.add(help);
                    Result r = run(cl, out, err, argv);
                    check(r.code == 0, name + " " + help + " exited " + r.code + ": " + r.err);
                    check(r.out.contains("Usage: vigil" + (path.isEmpty() ? "" : " " + name) + " "), name + " " + help + " printed:\n" + r.out);
                    check(r.err.isEmpty(), name + " " + help + " wrote to stderr: " + r.err);
                    check(ProcessHandle.current().descendants().count() == 0, name + " " + help + " started a process");
                }
                if (path.size() == 1) { // 'vigil help COMMAND' covers the top-level commands
                    List<String> viaHelp = new ArrayList<>(List.of("help"));
                    viaHelp.addAll(path);
                    Result r = run(cl, out, err, viaHelp);
                    check(r.code == 0 && r.out.contains("Usage: vigil " + name + " "), "vigil help " + name + ": " + r.code + " " + r.out + r.err);
                }
            }
            check(listeningBefore.equals(listeningSockets()), "a --help opened a listening socket");
            System.out.println("walked " + paths.size() + " commands");
            System.exit(0);
        }

        private static void check(boolean ok, String problem) {
            if (ok) return;
            System.out.println(problem);
            System.exit(1);
        }
    }

    @Test
    void version_printsTheBuildsVersion() {
        Result r = run(List.of("--version"));
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.matches("vigil \\d+\\.\\d+\\.\\d+\\S*\\n"), r.out);
    }

    @Test
    void noCommand_printsUsageOnStderr_exits2() {
        Result r = run(List.of());
        assertEquals(2, r.code);
        assertTrue(r.err.startsWith("Usage: vigil "), r.err);
    }

    private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (!e.getKey().equals(e.getValue().getCommandName())) continue; // an alias: its command is walked under its name
            List<String> sub = new ArrayList<>(path);
            sub.add(e.getKey());
            collect(e.getValue(), sub, out);
        }
    }

    private static Result run(CommandLine cl, ByteArrayOutputStream out, ByteArrayOutputStream err, List<String> argv) {
        out.reset();
        err.reset();
        int code = cl.execute(argv.toArray(new String[0]));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Result run(List<String> argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = VigilCommand.run(argv.toArray(new String[0]), context(out, err));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static CliContext context(ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(),
                (targets, token) -> { throw new AssertionError("--help connected to a cluster at " + targets); }, null);
    }

    /** The inodes of this process's listening TCP sockets (/proc/net/tcp* entries in state LISTEN that are open here). */
    static Set<Long> listeningSockets() throws IOException {
        Set<Long> open = new TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) open.add(Long.parseLong(target.substring(8, target.length() - 1)));
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        Set<Long> listening = new TreeSet<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                long inode = Long.parseLong(f[9]);
                if (f[3].equals("0A") && open.contains(inode)) listening.add(inode);
            }
        }
        return listening;
    }
}
