package vigil.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.ClusterUnavailableException;
import vigil.api.ConfigException;
import vigil.engine.state.Command;
import vigil.raft.proto.ApplyReplyP;
import vigil.raft.proto.CommandResultP;

/**
 * Group commit: submissions that arrive while earlier log entries are still in flight are batched into one entry, so
 * one Raft round trip and one fsync serve many changes. With nothing in flight a submission is sent at once.
 */
final class Submitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Submitter.class);

    private record Pending(List<Command> commands, CompletableFuture<List<CommandResult>> result) {}

    private final Sender sender;
    private final UnaryOperator<byte[]> seal;
    private final int maxBatch;
    private final Semaphore inFlight;
    private final RaftMeters meters;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong entries = new java.util.concurrent.atomic.AtomicLong();

    /** Where entries go: a Raft client to the leader, or the leader's own server for its controller. */
    interface Sender extends AutoCloseable {
        CompletableFuture<RaftClientReply> send(Message entry);

        @Override
        void close();
    }

    /**
     * @param sender sends each sealed entry
     * @param seal   turns an encoded entry into the submission the leader accepts (see {@link SubmissionSeal})
     */
    Submitter(String name, Sender sender, UnaryOperator<byte[]> seal, int maxBatch, int maxInFlight, RaftMeters meters) {
        this.sender = sender;
        this.seal = seal;
        this.maxBatch = maxBatch;
        this.inFlight = new Semaphore(maxInFlight);
        this.meters = meters;
        this.thread = new Thread(this::run, "vigil-submit-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    CompletableFuture<List<CommandResult>> submit(List<Command> commands) {
        CompletableFuture<List<CommandResult>> f = new CompletableFuture<>();
        if (commands.isEmpty()) {
            f.complete(List.of());
            return f;
        }
        if (closed) {
            f.completeExceptionally(new ClusterUnavailableException("the Vigil node is closed"));
            return f;
        }
        queue.add(new Pending(List.copyOf(commands), f));
        return f;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (!closed) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                inFlight.acquire();
                batch.add(first);
                int size = first.commands().size();
                Pending next;
                while (size < maxBatch && (next = queue.peek()) != null && size + next.commands().size() <= maxBatch) {
                    batch.add(queue.poll());
                    size += next.commands().size();
                }
                send(new ArrayList<>(batch), size);
                batch.clear();
            } catch (InterruptedException e) {
                break;
            }
        }
        failAll(batch);
        List<Pending> rest = new ArrayList<>();
        queue.drainTo(rest);
        failAll(rest);
    }

    private static void failAll(List<Pending> ps) {
        for (Pending p : ps) p.result().completeExceptionally(new ClusterUnavailableException("the Vigil node is closed"));
    }

    private void send(List<Pending> batch, int size) {
        List<Command> all = new ArrayList<>(size);
        for (Pending p : batch) all.addAll(p.commands());
        meters.batch(size);
        entries.incrementAndGet();
        byte[] bytes = seal.apply(LogCodec.encodeEntry(null, all)); // the leader stamps the cluster time
        CompletableFuture<RaftClientReply> sent;
        try {
            sent = sender.send(Message.valueOf(ByteString.copyFrom(bytes)));
        } catch (RuntimeException e) {
            inFlight.release();
            for (Pending p : batch) p.result().completeExceptionally(new ClusterUnavailableException("cannot send to the cluster: " + e, e));
            return;
        }
        sent.whenComplete((reply, error) -> {
            inFlight.release();
            if (error == null && !reply.isSuccess()) error = reply.getException();
            if (error != null) {
                LOG.debug("batch of {} commands failed: {}", size, error.toString());
                for (Pending p : batch) {
                    p.result().completeExceptionally(new ClusterUnavailableException("the change may not have been committed: " + error, error));
                }
                return;
            }
            ApplyReplyP r;
            try {
                r = ApplyReplyP.parseFrom(reply.getMessage().getContent().toByteArray());
            } catch (Exception e) {
                for (Pending p : batch) p.result().completeExceptionally(new IllegalStateException("unreadable apply reply", e));
                return;
            }
            int i = 0;
            for (Pending p : batch) {
                List<CommandResult> out = new ArrayList<>(p.commands().size());
                for (int k = 0; k < p.commands().size(); k++, i++) out.add(result(r, i));
                p.result().complete(out);
            }
        });
    }

    /** Log entries sent so far. */
    long entriesSent() { return entries.get(); }

    private static CommandResult result(ApplyReplyP r, int i) {
        if (i >= r.getResultsCount()) {
            return new CommandResult(new ConfigException("command", "the replica skipped this command", "check the node logs"));
        }
        CommandResultP c = r.getResults(i);
        return c.getOk() ? CommandResult.OK : new CommandResult(new ConfigException(c.getField(), c.getProblem(), c.getFix()));
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.close();
    }
}
