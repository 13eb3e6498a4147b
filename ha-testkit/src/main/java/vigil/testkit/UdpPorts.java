package vigil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * UDP ports (on the loopback address unless told otherwise) for the UDP peers (ipmi_sim, snmpd): starting a peer on a free one and waiting
 * until it binds it.
 */
final class UdpPorts {
    static final String HOST = "127.0.0.1";
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(20);
    private static final int ATTEMPTS = 5;

    private UdpPorts() {}

    /** A peer and the UDP port it listens on. */
    record Listening(Peer peer, int port) {}

    /** Configures and starts a peer to listen on {@code port}. */
    interface Starter {
        Peer start(int port) throws IOException;
    }

    /**
     * Starts a peer ({@code starter} gets the port to configure) and waits until it has bound the port. The port was
     * free when chosen, but another process of this machine can bind it first (other test runs pick ports too): the
     * peer then exits, and it is started once more on another port. Any other exit fails at once with the end of
     * the peer's log.
     */
    static Listening start(String what, Starter starter) throws IOException { return start(what, HOST, starter); }

    /** As {@link #start(String, Starter)}, on a port free on {@code host} (the address the peer will bind). */
    static Listening start(String what, String host, Starter starter) throws IOException {
        for (int attempt = 1; ; attempt++) {
            int port = free(host);
            Peer peer = starter.start(port);
            if (awaitBound(what, peer, port, attempt < ATTEMPTS)) return new Listening(peer, port);
        }
    }

    /** True once {@code peer} listens on {@code port}; false if it exited because another process holds the port. */
    private static boolean awaitBound(String what, Peer peer, int port, boolean mayRetry) {
        long end = System.nanoTime() + BIND_TIMEOUT.toNanos();
        // polled through /proc, never by binding the port: a probe's bind at the moment the peer binds makes it exit
        while (!boundBy(peer, port)) {
            if (!peer.isAlive()) {
                peer.close();
                if (mayRetry && bound(port)) return false;
                throw new AssertionError(what + " exited instead of listening on udp " + port + "; its log " + peer.log()
                        + " ends with:\n" + tail(peer.log()));
            }
            if (System.nanoTime() > end) {
                peer.close();
                throw new AssertionError(what + " did not listen on udp " + port + " within " + BIND_TIMEOUT + "; its log "
                        + peer.log() + " ends with:\n" + tail(peer.log()));
            }
            Peer.sleep(Duration.ofMillis(20));
        }
        return true;
    }

    private static int free(String host) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether some process has a UDP socket bound to {@code port}, read from /proc/net/udp without touching the port. */
    private static boolean bound(int port) { return !socketInodes(port).isEmpty(); }

    /** Whether the socket bound to {@code port} belongs to {@code peer}'s process (or a child of it). */
    private static boolean boundBy(Peer peer, int port) {
        Set<String> sockets = new HashSet<>();
        for (String inode : socketInodes(port)) sockets.add("socket:[" + inode + "]");
        if (sockets.isEmpty() || !peer.isAlive()) return false;
        return Stream.concat(Stream.of(peer.process().toHandle()), peer.process().descendants()).anyMatch(p -> {
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
                return fds.anyMatch(fd -> {
                    try {
                        return sockets.contains(Files.readSymbolicLink(fd).toString());
                    } catch (IOException e) {
                        return false; // closed meanwhile
                    }
                });
            } catch (IOException e) {
                return false; // the process ended meanwhile
            }
        });
    }

    /** The inodes of the UDP sockets bound to {@code port} on any address (/proc/net/udp and udp6). */
    private static List<String> socketInodes(int port) {
        String hex = String.format(Locale.ROOT, ":%04X", port);
        List<String> inodes = new ArrayList<>();
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[1].endsWith(hex)) inodes.add(f[9]);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + table, e);
            }
        }
        return inodes;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
