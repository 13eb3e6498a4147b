package vigil.storage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import vigil.api.spi.ProcessRunner;

/**
 * {@code vigil drbd resolve --discard NODE [--resource RES] [--config-dir DIR] [--dry-run]}: resolves a split brain
 * by discarding NODE's changes since the split. Runs, as the DRBD user's guide describes, on the victim
 * {@code drbdadm secondary RES} and {@code drbdadm connect --discard-my-data RES}, then on every other host of the
 * resource {@code drbdadm connect RES}. Commands for this host run locally, for other hosts over {@code ssh}. NODE and
 * the hosts are the {@code on} names of the resource file Vigil generated.
 */
public final class DrbdCommand {
    private static final Pattern ON = Pattern.compile("(?m)^\\s*on\\s+([A-Za-z0-9_.-]+)\\s*\\{");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final String USAGE = "usage: vigil drbd resolve --discard NODE [--resource RES] [--config-dir DIR] [--dry-run]";

    private DrbdCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String local = ProcessRunner.local().run(List.of("hostname"), Duration.ofSeconds(5)).stdout().strip();
        return run(args, out, err, local, host -> host.equals(local) ? ProcessRunner.local() : ssh(host));
    }

    /** As {@link #run(String[], PrintStream, PrintStream)} with the local host name and a runner per host given. */
    static int run(String[] args, PrintStream out, PrintStream err, String localHost, Function<String, ProcessRunner> runners) {
        List<String> a = new ArrayList<>(List.of(args));
        if (!a.isEmpty() && a.get(0).equals("drbd")) a.remove(0);
        if (a.isEmpty() || !a.get(0).equals("resolve")) {
            err.println(USAGE);
            return 2;
        }
        String victim = null;
        String resource = null;
        Path dir = Path.of("/etc/drbd.d");
        boolean dryRun = false;
        for (int i = 1; i < a.size(); i++) {
            String k = a.get(i);
            if (k.equals("--dry-run")) { dryRun = true; continue; }
            if (i + 1 >= a.size()) { err.println(k + " needs a value\n" + USAGE); return 2; }
            String v = a.get(++i);
            switch (k) {
                case "--discard": victim = v; break;
                case "--resource": resource = v; break;
                case "--config-dir": dir = Path.of(v); break;
                default: err.println("unknown option " + k + "\n" + USAGE); return 2;
            }
        }
        if (victim == null) { err.println("--discard NODE is required: the node whose changes since the split are thrown away\n" + USAGE); return 2; }
        try {
            if (resource == null) resource = onlyResource(dir);
            Path file = dir.resolve(DrbdAdm.checkName(resource) + ".res");
            if (!Files.isRegularFile(file)) { err.println("resource file " + file + " not found (give --resource and --config-dir)"); return 2; }
            List<String> hosts = hosts(Files.readString(file, StandardCharsets.UTF_8));
            if (!hosts.contains(victim)) { err.println(resource + ": " + victim + " is not a host of this resource; hosts: " + hosts); return 2; }
            List<String> survivors = new ArrayList<>(hosts);
            survivors.remove(victim);
            List<SplitBrain.Step> steps = SplitBrain.resolution(resource, victim, survivors, file);
            out.println(resource + ": discarding the changes of " + victim + ", resyncing it from " + String.join(", ", survivors));
            for (SplitBrain.Step s : steps) {
                out.println((dryRun ? "would run on " : "on ") + s.node() + (s.node().equals(localHost) ? " (local)" : "") + ": " + String.join(" ", s.argv()));
                if (dryRun) continue;
                ProcessRunner.ProcessResult r = runners.apply(s.node()).run(s.argv(), TIMEOUT);
                if (!r.ok()) {
                    err.println(resource + ": `" + String.join(" ", s.argv()) + "` on " + s.node() + " exited " + r.exitCode()
                            + (r.stderr().isBlank() ? "" : ": " + r.stderr().strip())
                            + " (fix the cause, then run the remaining steps or this command again)");
                    return 1;
                }
            }
            if (!dryRun) out.println(resource + ": done; watch the resync with drbdsetup status " + resource);
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        }
    }

    static List<String> hosts(String resourceFile) {
        List<String> out = new ArrayList<>();
        Matcher m = ON.matcher(resourceFile);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private static String onlyResource(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("config dir " + dir + " does not exist (give --config-dir)");
        List<String> names;
        try (Stream<Path> s = Files.list(dir)) {
            names = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".res") && !n.startsWith("."))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
        }
        if (names.size() != 1) throw new IllegalArgumentException("found " + names.size() + " resources in " + dir + " " + names + "; give --resource RES");
        return names.get(0);
    }

    private static ProcessRunner ssh(String host) {
        return (argv, env, stdin, timeout) -> {
            List<String> cmd = new ArrayList<>(List.of("ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "root@" + host, "--"));
            cmd.addAll(argv);
            return ProcessRunner.local().run(cmd, env, stdin, timeout);
        };
    }
}
