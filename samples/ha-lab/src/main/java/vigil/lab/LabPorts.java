package vigil.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for lab nodes that share the host's network (127.0.0.1, 127.0.0.2, ...): drawn at random below the kernel's
 * ephemeral range (32768 and up), so that no outgoing connection of this machine takes one between the check and the
 * node's bind, and two labs started at the same time rarely try the same one.
 */
final class LabPorts {
    private static final int FIRST = 20000;
    private static final int END = 32000;

    private LabPorts() {}

    /** A base port P with P .. P + count - 1 free on 127.0.0.1 .. 127.0.0.nodes. */
    static int base(int count, int nodes) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int p = FIRST + ThreadLocalRandom.current().nextInt(END - FIRST - count);
            if (free(p, count, nodes)) return p;
        }
        throw new IllegalStateException("no " + count + " consecutive free ports below " + END + " on 127.0.0.1-" + nodes);
    }

    private static boolean free(int base, int count, int nodes) {
        for (int i = 1; i <= nodes; i++) {
            for (int q = base; q < base + count; q++) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress("127.0.0." + i, q));
                } catch (IOException busy) {
                    return false;
                }
            }
        }
        return true;
    }
}
