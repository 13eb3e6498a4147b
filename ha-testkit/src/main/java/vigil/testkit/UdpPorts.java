package vigil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;

/** UDP ports on the loopback address for the UDP peers (ipmi_sim, snmpd): a free one, and waiting until a peer binds it. */
final class UdpPorts {
    static final String HOST = "127.0.0.1";

    private UdpPorts() {}

    static int free() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(HOST), 0))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isFree(int port) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(HOST), port))) {
            return true;
        } catch (SocketException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code peer} listens on {@code port}; fails at once, naming its log, if it exits instead. */
    static void awaitListening(Peer peer, String what, int port) {
        Await.until(Duration.ofSeconds(20), what + " listening on udp " + port, () -> {
            if (!peer.isAlive()) throw new IllegalStateException(what + " exited, see " + peer.log());
            return !isFree(port);
        });
    }
}
