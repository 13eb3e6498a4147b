package vigil.raft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.Test;

/** The Raft client sender of a node. */
class SendersTest {
    /**
     * Closing a sender while a request is pending: the Raft client fails the request as it closes, on a thread of its
     * own that the close waits for, and the failed request's callback replaces the client under the sender's lock. The
     * close held that lock, so the two waited for each other for ever (a two-node host restarting as the only voter
     * hung here, its peer just fenced).
     */
    @Test
    void close_withARequestPending_ends() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // accepts and never answers: the request stays pending
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) held.add(silent.accept());
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            }, "silent-peer");
            acceptor.setDaemon(true);
            acceptor.start();
            RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(),
                    RaftPeer.newBuilder().setId("n1").setAddress("127.0.0.1:" + silent.getLocalPort()).build());
            Submitter.Sender sender = Senders.client(() -> RaftSetup.client(group, Duration.ofSeconds(30), new Parameters()));
            CompletableFuture<?> pending = sender.send(Message.valueOf("x"));
            Thread.sleep(500);
            CompletableFuture<Void> closed = CompletableFuture.runAsync(sender::close);
            try {
                closed.get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the sender's close did not end within 20 s");
            }
            assertTrue(pending.isDone(), "the pending request failed with the close");
        } finally {
            for (Socket s : held) s.close();
        }
    }
}
