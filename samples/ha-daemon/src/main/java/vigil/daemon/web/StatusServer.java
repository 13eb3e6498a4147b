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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
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
 */
public final class StatusServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    private static final String STOP = "\u0000stop";

    private final Cluster cluster;
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> daemon(r, "vigil-http"));
    private final ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "vigil-http-push"));
    private final Set<BlockingQueue<String>> streams = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final Subscription subscription;

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
        pusher.scheduleWithFixedDelay(() -> streams.forEach(q -> q.offer(": keep-alive\n\n")), 15, 15, TimeUnit.SECONDS);
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
        String message = "data: " + doc + "\n\n";
        streams.forEach(q -> q.offer(message));
    }

    private void events(HttpExchange ex) throws IOException {
        BlockingQueue<String> q = new LinkedBlockingQueue<>(100);
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        streams.add(q);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(("retry: 1000\ndata: " + StatusView.json(cluster.status()) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                String m = q.take();
                if (m == STOP) break;
                out.write(m.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("web: event stream closed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.remove(q);
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
        streams.forEach(q -> q.offer(STOP));
        server.stop(0);
        handlers.shutdownNow();
    }
}
