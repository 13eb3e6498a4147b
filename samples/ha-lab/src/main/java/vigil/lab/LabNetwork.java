package vigil.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A private network for the nodes of a local cluster, so that links between them can be cut: every node gets its own
 * network namespace with one address on a bridge (in a hub namespace), and the harness reaches them through a veth of
 * its own. A cut drops the packets between two nodes in both directions (nftables in each node's namespace); healing
 * deletes those rules. Needs root, iproute2 and nftables; {@link #unavailable()} says why it cannot be used.
 */
final class LabNetwork implements AutoCloseable {
    private static final String TABLE = "vigil_cut";

    private final String prefix;
    private final String subnet;
    private final int nodes;
    private final List<String> cuts = new ArrayList<>();

    private LabNetwork(String prefix, String subnet, int nodes) {
        this.prefix = prefix;
        this.subnet = subnet;
        this.nodes = nodes;
    }

    /** Why namespaces cannot be made here, or empty when they can. */
    static Optional<String> unavailable() {
        String probe = "vgprobe" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000));
        try {
            run("ip", "netns", "add", probe);
            run("ip", "netns", "exec", probe, "nft", "list", "tables");
            return Optional.empty();
        } catch (IllegalStateException | UncheckedIOException e) {
            return Optional.of(e.getMessage());
        } finally {
            quietly("ip", "netns", "del", probe);
        }
    }

    /** Namespaces, bridge and addresses for {@code nodes} nodes (1-based), and the harness's own way in. */
    static LabNetwork create(int nodes) {
        String prefix = "vg" + String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
        String inUse = output("ip", "-o", "-4", "addr", "show");
        String subnet;
        do {
            subnet = "10.213." + ThreadLocalRandom.current().nextInt(1, 255);
        } while (inUse.contains(" " + subnet + ".")); // another lab cluster on this machine has it
        LabNetwork n = new LabNetwork(prefix, subnet, nodes);
        try {
            String hub = n.hub();
            run("ip", "netns", "add", hub);
            run("ip", "-n", hub, "link", "add", "br0", "type", "bridge");
            run("ip", "-n", hub, "link", "set", "br0", "up");
            for (int i = 1; i <= nodes; i++) {
                String ns = n.namespace(i);
                run("ip", "netns", "add", ns);
                run("ip", "link", "add", prefix + "a" + i, "netns", ns, "type", "veth", "peer", "name", prefix + "b" + i, "netns", hub);
                run("ip", "-n", hub, "link", "set", prefix + "b" + i, "master", "br0");
                run("ip", "-n", hub, "link", "set", prefix + "b" + i, "up");
                run("ip", "-n", ns, "addr", "add", n.address(i) + "/24", "dev", prefix + "a" + i);
                run("ip", "-n", ns, "link", "set", prefix + "a" + i, "up");
                run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            run("ip", "link", "add", prefix + "r", "type", "veth", "peer", "name", prefix + "h", "netns", hub);
            run("ip", "-n", hub, "link", "set", prefix + "h", "master", "br0");
            run("ip", "-n", hub, "link", "set", prefix + "h", "up");
            run("ip", "addr", "add", subnet + ".254/24", "dev", prefix + "r");
            run("ip", "link", "set", prefix + "r", "up");
            return n;
        } catch (RuntimeException e) {
            n.close();
            throw e;
        }
    }

    /** The harness's own address in this network (in the host's namespace): what the nodes reach of this machine. */
    String harnessAddress() { return subnet + ".254"; }

    /** Node {@code i}'s address (1-based). */
    String address(int i) { return subnet + "." + i; }

    /** An address of this network that no node and not the harness holds: for a virtual IP the cluster moves. */
    String spareAddress() { return subnet + ".100"; }

    /** Whether node {@code i}'s namespace holds {@code ip} on an interface. */
    boolean holds(int i, String ip) {
        return output("ip", "-n", namespace(i), "-o", "-4", "addr", "show").contains(" " + ip + "/");
    }

    /** Takes {@code ip} off node {@code i}'s interface, as a host that loses power loses its addresses; nothing if it has none. */
    void dropAddress(int i, String ip) {
        if (holds(i, ip)) quietly("ip", "-n", namespace(i), "addr", "del", ip + "/24", "dev", prefix + "a" + i);
    }

    /** The command prefix that runs a program inside node {@code i}'s namespace. */
    List<String> exec(int i) { return List.of("ip", "netns", "exec", namespace(i)); }

    /** Drops every packet between nodes {@code a} and {@code b} (1-based), both ways, until {@link #heal()}. */
    synchronized void cut(int a, int b) {
        drop(a, b);
        drop(b, a);
        cuts.add(a + "-" + b);
    }

    /** Removes every cut. */
    synchronized void heal() {
        if (cuts.isEmpty()) return;
        for (int i = 1; i <= nodes; i++) quietly("ip", "netns", "exec", namespace(i), "nft", "delete", "table", "inet", TABLE);
        cuts.clear();
    }

    private void drop(int at, int from) {
        run("ip", "netns", "exec", namespace(at), "nft", "add table inet " + TABLE + "; add chain inet " + TABLE
                + " in { type filter hook input priority 0; }; add rule inet " + TABLE + " in ip saddr " + address(from) + " drop");
    }

    private String hub() { return prefix + "h"; }

    private String namespace(int i) { return prefix + "n" + i; }

    @Override
    public void close() {
        quietly("ip", "link", "del", prefix + "r");
        for (int i = 1; i <= nodes; i++) quietly("ip", "netns", "del", namespace(i));
        quietly("ip", "netns", "del", hub());
    }

    private static void run(String... cmd) { output(cmd); }

    private static String output(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 20 s");
            }
            if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd[0] + " (iproute2 and nftables are needed for network cuts)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void quietly(String... cmd) {
        try {
            run(cmd);
        } catch (RuntimeException ignored) {
            // cleanup of something that may not exist
        }
    }
}
