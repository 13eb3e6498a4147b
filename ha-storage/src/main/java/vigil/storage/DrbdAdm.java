package vigil.storage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * argv for {@code drbdadm} (drbd-utils 9). Each function returns the command without running it; the controller runs
 * it through {@link vigil.api.spi.ProcessRunner}. {@link #withConfig} points drbdadm at one resource file instead of
 * {@code /etc/drbd.conf}.
 */
public final class DrbdAdm {
    public static final String PROGRAM = "drbdadm";

    private DrbdAdm() {}

    /** {@code drbdadm create-md --force RES}: writes fresh metadata (only on a new, empty backing device). */
    public static List<String> createMd(String res) { return List.of(PROGRAM, "create-md", "--force", checkName(res)); }

    public static List<String> up(String res) { return List.of(PROGRAM, "up", checkName(res)); }

    /** Makes the kernel match the resource file (used after the file changed, e.g. allow-two-primaries). */
    public static List<String> adjust(String res) { return List.of(PROGRAM, "adjust", checkName(res)); }

    public static List<String> down(String res) { return List.of(PROGRAM, "down", checkName(res)); }

    /** {@code drbdadm primary [--force] RES}; force only for an initial sync or a deliberate manual override. */
    public static List<String> primary(String res, boolean force) {
        return force ? List.of(PROGRAM, "primary", "--force", checkName(res)) : List.of(PROGRAM, "primary", checkName(res));
    }

    public static List<String> secondary(String res) { return List.of(PROGRAM, "secondary", checkName(res)); }

    public static List<String> disconnect(String res) { return List.of(PROGRAM, "disconnect", checkName(res)); }

    /** {@code drbdadm connect [--discard-my-data] RES}: the split-brain victim discards its changes. */
    public static List<String> connect(String res, boolean discardMyData) {
        return discardMyData ? List.of(PROGRAM, "connect", "--discard-my-data", checkName(res)) : List.of(PROGRAM, "connect", checkName(res));
    }

    /** Marks the local disk Outdated (only allowed while not Primary and not connected to a Primary). */
    public static List<String> outdate(String res) { return List.of(PROGRAM, "outdate", checkName(res)); }

    public static List<String> status(String res) { return List.of(PROGRAM, "status", checkName(res)); }

    /** {@code drbdadm dump RES}: parses the configuration and prints it normalized. */
    public static List<String> dump(String res) { return List.of(PROGRAM, "dump", checkName(res)); }

    /** Inserts {@code -c FILE} so drbdadm reads that configuration file. */
    public static List<String> withConfig(Path file, List<String> argv) {
        if (argv.isEmpty() || !PROGRAM.equals(argv.get(0))) throw new IllegalArgumentException("not a drbdadm command: " + argv);
        List<String> out = new ArrayList<>(argv.size() + 2);
        out.add(PROGRAM);
        out.add("-c");
        out.add(file.toString());
        out.addAll(argv.subList(1, argv.size()));
        return List.copyOf(out);
    }

    /** Inserts {@code -d} (dry run: print the drbdsetup/drbdmeta calls instead of running them). */
    public static List<String> dryRun(List<String> argv) {
        List<String> out = new ArrayList<>(argv);
        out.add(1, "-d");
        return List.copyOf(out);
    }

    static String checkName(String res) {
        if (res == null || !res.matches("[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}")) {
            throw new IllegalArgumentException("DRBD resource name \"" + res + "\" is invalid (use letters, digits, '_', '.', '+', '-')");
        }
        return res;
    }
}
