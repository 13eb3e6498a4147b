package vigil.raft;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.protocol.exceptions.ResourceUnavailableException;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The two ways a {@link Submitter} reaches the Raft leader. */
final class Senders {
    private static final Logger LOG = LoggerFactory.getLogger(Senders.class);

    private Senders() {}

    /**
     * Through a Raft client (forwarded to the leader wherever it is). {@code clients} makes a fresh one; it is replaced
     * when Ratis gives up on it, since its request window is then closed for good.
     */
    static Submitter.Sender client(Supplier<RaftClient> clients) {
        return new Submitter.Sender() {
            private volatile RaftClient client = clients.get();
            private volatile boolean closed;

            @Override
            public CompletableFuture<RaftClientReply> send(Message entry) {
                RaftClient used = client;
                CompletableFuture<RaftClientReply> sent;
                try {
                    sent = used.async().send(entry);
                } catch (RuntimeException e) {
                    if (gaveUp(e)) renew(used);
                    throw e;
                }
                return sent.whenComplete((reply, error) -> {
                    Throwable t = error != null ? error : reply.isSuccess() ? null : reply.getException();
                    if (t != null && gaveUp(t)) renew(used);
                });
            }

            private synchronized void renew(RaftClient failed) {
                if (client != failed || closed) return;
                LOG.info("Raft client gave up on a request; replacing it");
                client = clients.get();
                Thread t = new Thread(() -> closeQuietly(failed), "vigil-client-close");
                t.setDaemon(true);
                t.start();
            }

            @Override
            public void close() {
                RaftClient last;
                synchronized (this) {
                    closed = true;
                    last = client;
                }
                // not under the lock: closing fails the pending requests, whose callbacks (renew) take it on the thread
                // Ratis closes its proxies on, and the close waits for that thread
                closeQuietly(last);
            }
        };
    }

    private static boolean gaveUp(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof AlreadyClosedException || c instanceof RaftRetryFailureException) return true;
        }
        return false;
    }

    private static void closeQuietly(RaftClient c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("closing a replaced Raft client: {}", e.toString());
        }
    }

    /** For a node whose Raft server is not running: every send fails with {@code why}. */
    static Submitter.Sender none(String why) {
        return new Submitter.Sender() {
            @Override
            public CompletableFuture<RaftClientReply> send(Message entry) {
                return CompletableFuture.failedFuture(new vigil.api.ClusterUnavailableException(why));
            }

            @Override
            public void close() { }
        };
    }

    /**
     * Straight into this node's own Raft server, for the controller: it acts only while its node leads, so a request
     * that finds another leader fails instead of being forwarded. {@code clientId} never leaves this process; the
     * state machine recognizes the controller's entries by it. A leader that is not ready yet (just elected) is
     * retried every 10 ms until {@code patience} has passed.
     */
    static Submitter.Sender leader(RaftServer server, RaftGroupId group, RaftPeerId self, ClientId clientId, Duration patience) {
        ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vigil-controller-retry-" + self);
            t.setDaemon(true);
            return t;
        });
        AtomicLong calls = new AtomicLong();
        return new Submitter.Sender() {
            @Override
            public CompletableFuture<RaftClientReply> send(Message entry) {
                CompletableFuture<RaftClientReply> result = new CompletableFuture<>();
                attempt(entry, System.nanoTime() + patience.toNanos(), result);
                return result;
            }

            private void attempt(Message entry, long deadline, CompletableFuture<RaftClientReply> result) {
                RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId).setServerId(self).setGroupId(group)
                        .setCallId(calls.incrementAndGet()).setMessage(entry).setType(RaftClientRequest.writeRequestType()).build();
                CompletableFuture<RaftClientReply> f;
                try {
                    f = server.submitClientRequestAsync(request);
                } catch (Exception e) {
                    result.completeExceptionally(e);
                    return;
                }
                f.whenComplete((reply, error) -> {
                    Throwable t = error != null ? error : reply.isSuccess() ? null : reply.getException();
                    boolean notYet = t instanceof LeaderNotReadyException || t instanceof ResourceUnavailableException
                            || t != null && (t.getCause() instanceof LeaderNotReadyException || t.getCause() instanceof ResourceUnavailableException);
                    if (notYet && System.nanoTime() < deadline && !retries.isShutdown()) {
                        retries.schedule(() -> attempt(entry, deadline, result), 10, TimeUnit.MILLISECONDS);
                    } else if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(reply);
                    }
                });
            }

            @Override
            public void close() { retries.shutdownNow(); }
        };
    }
}
