package vigil.daemon.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.Cluster;
import vigil.api.Subscription;
import vigil.daemon.cli.StatusView;

/**
 * The daemon's read-only web status page (nodes, resources and where they run, failures, fence history), its data
 * as JSON, live updates as Server-Sent Events, and the Prometheus endpoint:
 * {@code /} the page, {@code /status.json}, {@code /events} (an SSE stream of status documents), {@code /metrics}.
 *
 * <p>Bounded, so that no number of clients can take the node down (its heartbeat replies go through the gRPC server,
 * which this never blocks): at most {@value #MAX_CONNECTIONS} connections (more are closed at once), requests served by
 * {@value #HANDLERS} threads, at most {@value #MAX_STREAMS} live-update streams (more get 503), a request that does not
 * arrive within {@value #REQUEST_SECONDS} s is dropped, a client that does not keep up with its stream is dropped, and
 * no response (a live-update stream included) lasts longer than {@value #RESPONSE_SECONDS} s: the JDK server closes
 * the connection then, which also frees a writer stuck on a client that stopped reading (browsers reconnect).
 */
public final class StatusServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    static final int MAX_CONNECTIONS = 192;
    static final int MAX_STREAMS = 64;
    static final int HANDLERS = 8;
    static final int REQUEST_SECONDS = 10;
    static final int RESPONSE_SECONDS = 300;
    static final int KEEP_ALIVE_SECONDS = 5;
    private static final String STOP = "\u0000stop";

    static {
        // the JDK's HTTP server reads these once, when the first server is made
        System.setProperty("jdk.httpserver.maxConnections", System.getProperty("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS)));
        System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS)));
        System.setProperty("sun.net.httpserver.maxRspTime", System.getProperty("sun.net.httpserver.maxRspTime", Integer.toString(RESPONSE_SECONDS)));
    }

    private final Cluster cluster;
    private final HttpServer server;
    private final ThreadPoolExecutor handlers = new ThreadPoolExecutor(HANDLERS, HANDLERS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
            r -> daemon(r, "vigil-http"));
    private final ExecutorService streamWriters = Executors.newCachedThreadPool(r -> daemon(r, "vigil-http-stream"));
    private final Semaphore streamPermits = new Semaphore(MAX_STREAMS);
    private final ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "vigil-http-push"));
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean dirty = new AtomicBoolean(true);
    private volatile String lastDocument;
    private final Subscription subscription;

    /** One live-update client and the messages not yet written to it. */
    private record Stream(HttpExchange exchange, BlockingQueue<String> queue) {
        Stream(HttpExchange exchange) { this(exchange, new LinkedBlockingQueue<>(16)); }
    }

    private StatusServer(Cluster cluster, Supplier<String> metrics, String host, int port) {
        this.cluster = cluster;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the status page on " + host + ":" + port + " (is the port in use?)", e);
        }
        server.setExecutor(handlers);
        server.createContext("/", this::page);
        server.createContext("/status.json", ex -> {
            String doc;
            try {
                doc = StatusView.json(cluster.status());
            } catch (RuntimeException e) {
                respond(ex, 503, "application/json", "{\"error\":" + vigil.daemon.cli.Json.write(String.valueOf(e.getMessage())) + "}");
                return;
            }
            respond(ex, 200, "application/json", doc);
        });
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
        server.createContext("/events", this::events);
        subscription = cluster.subscribe(e -> dirty.set(true));
        pusher.scheduleWithFixedDelay(this::push, 200, 200, TimeUnit.MILLISECONDS);
        // a keep-alive also finds the clients that went away (writing to them fails), freeing their places
        pusher.scheduleWithFixedDelay(() -> streams.forEach(q -> offer(q, ": keep-alive\n\n")), KEEP_ALIVE_SECONDS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
        server.start();
        LOG.info("web: status page on http://{}:{}/", host, server.getAddress().getPort());
    }

    /** Serves on {@code host:port} (port 0: any free port, see {@link #port()}); {@code metrics} renders /metrics. */
    public static StatusServer start(Cluster cluster, Supplier<String> metrics, String host, int port) {
        return new StatusServer(cluster, metrics, host, port);
    }

    public int port() { return server.getAddress().getPort(); }

    private void page(HttpExchange ex) throws IOException {
        if (!ex.getRequestURI().getPath().equals("/")) {
            respond(ex, 404, "text/plain", "not found: the status page is at /, its data at /status.json\n");
            return;
        }
        try (InputStream in = StatusServer.class.getResourceAsStream("status.html")) {
            respond(ex, 200, "text/html; charset=utf-8", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private void push() {
        if (streams.isEmpty() || !dirty.getAndSet(false)) return;
        String doc;
        try {
            doc = StatusView.json(cluster.status());
        } catch (RuntimeException e) {
            dirty.set(true);
            LOG.debug("web: status not available for live update: {}", e.getMessage());
            return;
        }
        lastDocument = doc;
        String message = "data: " + doc + "\n\n";
        streams.forEach(q -> offer(q, message));
    }

    /** A client that does not keep up with the updates is dropped (its browser reconnects). */
    private void offer(Stream s, String message) {
        if (!s.queue.offer(message)) close(s, "it does not read its updates");
    }

    /** Ends a stream after the write in progress, if any (never blocks: its writer thread ends it). */
    private void close(Stream s, String why) {
        if (!streams.remove(s)) return;
        LOG.debug("web: closing a live-update stream: {}", why);
        s.queue.clear();
        s.queue.offer(STOP);
    }

    private void events(HttpExchange ex) throws IOException {
        if (!streamPermits.tryAcquire()) {
            ex.getResponseHeaders().set("Connection", "close");
            ex.getResponseHeaders().set("Retry-After", "30");
            respond(ex, 503, "text/plain; charset=utf-8", "too many live-update clients (at most " + MAX_STREAMS
                    + " at once); poll /status.json instead, or retry later\n");
            return;
        }
        Stream s = new Stream(ex);
        try {
            String first = lastDocument;
            if (first == null) first = StatusView.json(cluster.status());
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            s.queue.add("retry: 1000\ndata: " + first + "\n\n");
            streams.add(s);
            streamWriters.execute(() -> stream(s));
        } catch (IOException | RuntimeException e) {
            streamPermits.release();
            streams.remove(s);
            ex.close();
            if (e instanceof IOException io) throw io;
            LOG.debug("web: live updates not started: {}", e.toString());
        }
    }

    /** Writes a stream's messages until it is closed; runs on its own writer thread (at most {@value #MAX_STREAMS}). */
    private void stream(Stream s) {
        try (OutputStream out = s.exchange.getResponseBody()) {
            while (true) {
                String m = s.queue.take();
                if (m == STOP) break;
                out.write(m.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("web: event stream closed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.remove(s);
            streamPermits.release();
        }
    }

    private static void respond(HttpExchange ex, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        subscription.close();
        pusher.shutdownNow();
        streams.forEach(q -> close(q, "the server stops"));
        server.stop(0);
        handlers.shutdownNow();
        streamWriters.shutdownNow();
    }
}
