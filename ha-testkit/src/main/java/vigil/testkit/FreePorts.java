package vigil.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * TCP ports for the daemons and Raft servers a test starts. They are drawn at random below the kernel's ephemeral
 * range (32768 and up), never asked of the kernel with port 0: a port the kernel hands out is one its next outgoing
 * connection may take between the check and the daemon's bind, and test classes run at the same time in other JVMs.
 */
public final class FreePorts {
    private static final int FIRST = 20000;
    private static final int END = 32000;
    private static final int ATTEMPTS = 200;

    private FreePorts() {}

    /** A free port on {@code host}. */
    public static int one(String host) { return base(1, host); }

    /** A base port P such that P .. P + count - 1 are all free on every one of {@code hosts}. */
    public static int base(int count, String... hosts) {
        if (count < 1 || hosts.length == 0) throw new IllegalArgumentException("need at least one port and one host");
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int p = FIRST + ThreadLocalRandom.current().nextInt(END - FIRST - count);
            if (free(p, count, hosts)) return p;
        }
        throw new IllegalStateException("no " + count + " consecutive free ports in " + FIRST + "-" + END + " on " + String.join(", ", hosts));
    }

    /** {@code host:port} with a free port. */
    public static String address(String host) { return host + ":" + one(host); }

    private static boolean free(int base, int count, String... hosts) {
        for (String h : hosts) {
            for (int q = base; q < base + count; q++) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(InetAddress.getByName(h), q), 1);
                } catch (IOException taken) {
                    return false;
                }
            }
        }
        return true;
    }
}
