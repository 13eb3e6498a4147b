package vigil.daemon.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.Cluster;
import vigil.api.Subscription;
import vigil.api.VigilException;
import vigil.api.status.ClusterState;
import vigil.daemon.cli.StatusView;
import vigil.engine.scheduler.Scheduler;
import vigil.engine.scheduler.Transition;
import vigil.raft.runtime.ClusterNode.LocalView;

/**
 * The daemon's web server:
 * <ul>
 *   <li>{@code /} the status page, rendered here from this node's applied state ({@link StatusPage}); read-only until
 *       an admin logs in ({@code POST /login} with an admin credential, {@code POST /logout}); then it also offers
 *       actions ({@code POST /action}, each with the session's CSRF token, see {@link WebActions});</li>
 *   <li>{@code /live} the page's changing part as Server-Sent Events, pushed after every change;</li>
 *   <li>{@code /status.json} the status document ({@code vigil status --json}), {@code /events} the same as SSE;</li>
 *   <li>{@code /metrics} Prometheus; {@code /healthz} 200 while this node hears a controller with quorum, 503 otherwise.</li>
 * </ul>
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
    private static final String STOP = "\u0000stop";
    private static final String CSRF_SLOT = "\u0000csrf\u0000";
    private static final int MAX_FORM = 16 * 1024;
    static final int MAX_CONNECTIONS = 192;
    static final int MAX_STREAMS = 64;
    static final int HANDLERS = 8;
    static final int REQUEST_SECONDS = 10;
    static final int RESPONSE_SECONDS = 300;
    static final int KEEP_ALIVE_SECONDS = 5;

    static {
        // the JDK's HTTP server reads these once, when the first server is made
        System.setProperty("jdk.httpserver.maxConnections", System.getProperty("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS)));
        System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS)));
        System.setProperty("sun.net.httpserver.maxRspTime", System.getProperty("sun.net.httpserver.maxRspTime", Integer.toString(RESPONSE_SECONDS)));
    }

    /**
     * Where the server gets what it shows.
     *
     * @param cluster       the failover API (actions, linearizable status for /status.json, change events)
     * @param local         this node's own view and applied state (never blocks)
     * @param metrics       renders /metrics
     * @param isAdminSecret whether a secret a browser presents at login is an admin credential
     */
    public record Sources(Cluster cluster, Supplier<LocalView> local, Supplier<String> metrics,
                          Predicate<String> isAdminSecret) {}

    /** An open SSE stream: its queue and, for /live, the session it renders for (null: read-only). */
    private record Stream(BlockingQueue<String> queue, boolean html, WebSessions.Session session) {}

    private final Sources sources;
    private final HttpServer server;
    /** Set-Cookie attributes of the session cookie: over HTTPS also Secure, so a browser never sends it in plaintext. */
    private final String cookieAttributes;
    private final WebSessions sessions = new WebSessions(InstantSource.system());
    private final ThreadPoolExecutor handlers = new ThreadPoolExecutor(HANDLERS, HANDLERS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
            r -> daemon(r, "vigil-http"));
    private final ExecutorService streamWriters = Executors.newCachedThreadPool(r -> daemon(r, "vigil-http-stream"));
    private final Semaphore streamPermits = new Semaphore(MAX_STREAMS);
    private final ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "vigil-http-push"));
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean pushScheduled = new AtomicBoolean();
    /** leader, term and quorum of the view last pushed to open pages. */
    private final AtomicReference<List<Object>> pushedView = new AtomicReference<>();
    private final Subscription subscription;
    private volatile Planned planned = new Planned(null, Transition.EMPTY);

    /** The scheduler's plan (with scores) for one applied state, computed once per state a page shows. */
    private record Planned(ClusterState state, Transition plan) {}

    private StatusServer(Sources sources, String host, int port, SSLContext tls) {
        this.sources = sources;
        this.cookieAttributes = "; Path=/; HttpOnly; SameSite=Strict" + (tls == null ? "" : "; Secure");
        try {
            if (tls == null) {
                server = HttpServer.create(new InetSocketAddress(host, port), 50);
            } else {
                HttpsServer https = HttpsServer.create(new InetSocketAddress(host, port), 50);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the status page on " + host + ":" + port + " (is the port in use?)", e);
        }
        server.setExecutor(handlers);
        server.createContext("/", this::page);
        server.createContext("/page.css", ex -> asset(ex, "page.css", "text/css; charset=utf-8"));
        server.createContext("/page.js", ex -> asset(ex, "page.js", "text/javascript; charset=utf-8"));
        server.createContext("/status.json", this::statusJson);
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", sources.metrics().get()));
        // for load balancers and monitoring: 200 while this node hears a controller with quorum, else 503
        server.createContext("/healthz", ex -> {
            LocalView v = sources.local().get();
            if (v.quorate()) {
                respond(ex, 200, "text/plain; charset=utf-8", "ok: " + v.node() + " hears controller " + v.leader() + " (term " + v.term() + ") with quorum\n");
            } else {
                respond(ex, 503, "text/plain; charset=utf-8", "no quorum: " + v.node() + " hears no controller with a majority behind it"
                        + (v.state().leader().isEmpty() ? "" : " (last known: " + v.state().leader() + ")") + "\n");
            }
        });
        server.createContext("/events", ex -> stream(ex, false));
        server.createContext("/live", ex -> stream(ex, true));
        server.createContext("/login", this::login);
        server.createContext("/logout", this::logout);
        server.createContext("/action", this::action);
        subscription = sources.cluster().subscribe(e -> schedulePush());
        // a node that loses its quorum learns it without a state change: open pages are told within a second
        pusher.scheduleWithFixedDelay(() -> {
            if (!streams.isEmpty() && !viewKey(sources.local().get()).equals(pushedView.get())) schedulePush();
        }, 1, 1, TimeUnit.SECONDS);
        // a keep-alive also finds the clients that went away (writing to them fails), freeing their places
        pusher.scheduleWithFixedDelay(() -> streams.forEach(s -> offer(s, ": keep-alive\n\n")), KEEP_ALIVE_SECONDS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
        server.start();
        LOG.info("web: status page on {}://{}:{}/", tls == null ? "http" : "https", host, server.getAddress().getPort());
    }

    /** Serves plain HTTP on {@code host:port} (port 0: any free port, see {@link #port()}), for an insecure node. */
    public static StatusServer start(Sources sources, String host, int port) { return new StatusServer(sources, host, port, null); }

    /** Serves HTTPS with {@code tls} (the node's certificate; browsers are not asked for one), or HTTP when it is null. */
    public static StatusServer start(Sources sources, String host, int port, SSLContext tls) { return new StatusServer(sources, host, port, tls); }

    public int port() { return server.getAddress().getPort(); }

    // ---- pages -------------------------------------------------------------------------------------------------

    private void page(HttpExchange ex) throws IOException {
        if (ex.getRequestURI().getPath().equals("/favicon.ico")) {
            ex.sendResponseHeaders(204, -1);
            ex.close();
            return;
        }
        if (!ex.getRequestURI().getPath().equals("/")) {
            respond(ex, 404, "text/plain; charset=utf-8", "not found: the status page is at /, its data at /status.json\n");
            return;
        }
        if (!isGet(ex)) return;
        Optional<WebSessions.Session> session = sessions.find(ex.getRequestHeaders().getFirst("Cookie"));
        String[] flash = session.map(WebSessions.Session::takeFlash).orElse(new String[] {"", "ok"});
        StatusPage.Model m = model(session.map(s -> s.csrf).orElse(null), flash[0], flash[1].equals("error"));
        boolean loginFailed = "login=failed".equals(ex.getRequestURI().getQuery());
        html(ex, 200, StatusPage.page(m, loginFailed));
    }

    private StatusPage.Model model(String csrf, String flash, boolean flashIsError) {
        LocalView v = sources.local().get();
        return new StatusPage.Model(v, plan(v.state()), csrf, flash, flashIsError);
    }

    private static List<Object> viewKey(LocalView v) { return List.of(v.leader(), v.term(), v.quorate()); }

    private Transition plan(ClusterState s) {
        Planned p = planned;
        if (p.state() != s) {
            Transition t;
            try {
                t = Scheduler.plan(s, true);
            } catch (RuntimeException e) {
                LOG.warn("web: cannot compute placement scores: {}", e.toString());
                t = Transition.EMPTY;
            }
            p = new Planned(s, t);
            planned = p;
        }
        return p.plan();
    }

    private void asset(HttpExchange ex, String name, String type) throws IOException {
        if (!isGet(ex)) return;
        try (InputStream in = StatusServer.class.getResourceAsStream(name)) {
            respond(ex, 200, type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private void statusJson(HttpExchange ex) throws IOException {
        if (!isGet(ex)) return;
        String doc;
        try {
            doc = StatusView.json(sources.cluster().status());
        } catch (RuntimeException e) {
            respond(ex, 503, "application/json", "{\"error\":" + vigil.daemon.cli.Json.write(String.valueOf(e.getMessage())) + "}");
            return;
        }
        respond(ex, 200, "application/json", doc);
    }

    // ---- login and actions -------------------------------------------------------------------------------------

    private void login(HttpExchange ex) throws IOException {
        if (!isPost(ex)) return;
        Map<String, String> form = form(ex);
        if (form == null) return;
        if (!sources.isAdminSecret().test(form.getOrDefault("token", ""))) {
            LOG.warn("web: failed admin login from {}", ex.getRemoteAddress().getAddress().getHostAddress());
            pause(); // guessing costs a second per try
            redirect(ex, "./?login=failed", null);
            return;
        }
        WebSessions.Session s = sessions.create();
        LOG.info("web: admin logged in from {}", ex.getRemoteAddress().getAddress().getHostAddress());
        redirect(ex, "./", WebSessions.COOKIE + "=" + s.id + cookieAttributes);
    }

    private void logout(HttpExchange ex) throws IOException {
        if (!isPost(ex)) return;
        Map<String, String> form = form(ex);
        if (form == null) return;
        Optional<WebSessions.Session> s = sessions.find(ex.getRequestHeaders().getFirst("Cookie"));
        if (s.isPresent() && sameSecret(s.get().csrf, form.get("csrf"))) sessions.end(s.get());
        redirect(ex, "./", WebSessions.COOKIE + "=" + cookieAttributes + "; Max-Age=0");
    }

    private void action(HttpExchange ex) throws IOException {
        if (!isPost(ex)) return;
        Map<String, String> form = form(ex);
        if (form == null) return;
        Optional<WebSessions.Session> session = sessions.find(ex.getRequestHeaders().getFirst("Cookie"));
        if (session.isEmpty()) {
            respond(ex, 403, "text/plain; charset=utf-8", "forbidden: log in with an admin token first (the page is read-only without it)\n");
            return;
        }
        WebSessions.Session s = session.get();
        if (!sameSecret(s.csrf, form.get("csrf"))) {
            respond(ex, 403, "text/plain; charset=utf-8", "forbidden: the form's CSRF token does not match this session; reload the page and try again\n");
            return;
        }
        String from = ex.getRemoteAddress().getAddress().getHostAddress();
        try {
            String done = WebActions.run(sources.cluster(), form);
            LOG.info("web: admin from {}: {}", from, done);
            s.flash(done, false);
        } catch (VigilException e) {
            LOG.warn("web: admin from {}: {} refused: {}", from, form.getOrDefault("action", "?"), e.getMessage());
            s.flash(form.getOrDefault("action", "action") + " refused: " + e.getMessage(), true);
        }
        redirect(ex, "./", null);
    }

    /**
     * The form of a POST, or null after answering 413 / 403: a browser's cross-site POST carries an Origin of another
     * site and is refused before anything is read.
     */
    private static Map<String, String> form(HttpExchange ex) throws IOException {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        String host = ex.getRequestHeaders().getFirst("Host");
        if (origin != null && (host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host)))) {
            respond(ex, 403, "text/plain; charset=utf-8", "forbidden: cross-site request (Origin " + origin + ")\n");
            return null;
        }
        byte[] body = ex.getRequestBody().readNBytes(MAX_FORM + 1);
        if (body.length > MAX_FORM) {
            respond(ex, 413, "text/plain; charset=utf-8", "form too large\n");
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(k, v);
        }
        return out;
    }

    /** A check of a presented secret against {@code expected}, in constant time (digests of equal length are compared). */
    public static Predicate<String> secretEquals(String expected) {
        byte[] want = sha256(expected);
        return given -> given != null && MessageDigest.isEqual(want, sha256(given));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static boolean sameSecret(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- live updates --------------------------------------------------------------------------------------------

    private void schedulePush() {
        if (streams.isEmpty() || !pushScheduled.compareAndSet(false, true)) return;
        // changes come in bursts (a transition commits several results): one push for each burst
        pusher.schedule(this::push, 200, TimeUnit.MILLISECONDS);
    }

    private void push() {
        pushScheduled.set(false);
        try {
            StatusPage.Model m = model(CSRF_SLOT, "", false);
            pushedView.set(viewKey(m.view()));
            String json = null;
            String readOnly = null;
            String admin = null;
            for (Stream s : streams) {
                if (!s.html()) {
                    if (json == null) json = event(StatusView.json(m.state()));
                    offer(s, json);
                } else if (s.session() != null && sessions.isLive(s.session())) {
                    if (admin == null) admin = StatusPage.live(m);
                    offer(s, event(admin.replace(CSRF_SLOT, s.session().csrf)));
                } else {
                    if (readOnly == null) readOnly = event(StatusPage.live(new StatusPage.Model(m.view(), m.plan(), null, "", false)));
                    offer(s, readOnly);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("web: live update failed: {}", e.toString());
        }
    }

    /** One SSE message: every line of {@code data} as a data line. */
    private static String event(String data) {
        StringBuilder sb = new StringBuilder(data.length() + 64);
        for (String line : data.split("\n", -1)) sb.append("data: ").append(line).append('\n');
        return sb.append('\n').toString();
    }

    /** A client that does not keep up with the updates is dropped (its browser reconnects). */
    private void offer(Stream s, String message) {
        if (!s.queue().offer(message)) close(s, "it does not read its updates");
    }

    /** Ends a stream after the write in progress, if any (never blocks: its writer thread ends it). */
    private void close(Stream s, String why) {
        if (!streams.remove(s)) return;
        LOG.debug("web: closing a live-update stream: {}", why);
        s.queue().clear();
        s.queue().offer(STOP);
    }

    private void stream(HttpExchange ex, boolean html) throws IOException {
        if (!isGet(ex)) return;
        if (!streamPermits.tryAcquire()) {
            ex.getResponseHeaders().set("Connection", "close");
            ex.getResponseHeaders().set("Retry-After", "30");
            respond(ex, 503, "text/plain; charset=utf-8", "too many live-update clients (at most " + MAX_STREAMS
                    + " at once); poll /status.json instead, or retry later\n");
            return;
        }
        WebSessions.Session session = html ? sessions.find(ex.getRequestHeaders().getFirst("Cookie")).orElse(null) : null;
        Stream s = new Stream(new LinkedBlockingQueue<>(16), html, session);
        try {
            String first;
            if (html) {
                first = event(StatusPage.live(model(session == null ? null : session.csrf, "", false)));
            } else {
                first = event(StatusView.json(sources.local().get().state()));
            }
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            s.queue().add("retry: 1000\n" + first);
            streams.add(s);
            streamWriters.execute(() -> write(ex, s));
        } catch (IOException | RuntimeException e) {
            streamPermits.release();
            streams.remove(s);
            ex.close();
            if (e instanceof IOException io) throw io;
            LOG.debug("web: live updates not started: {}", e.toString());
        }
    }

    /** Writes a stream's messages until it is closed; runs on its own writer thread (at most {@value #MAX_STREAMS}). */
    private void write(HttpExchange ex, Stream s) {
        try (OutputStream out = ex.getResponseBody()) {
            while (true) {
                String m = s.queue().take();
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

    // ---- HTTP helpers --------------------------------------------------------------------------------------------

    private static boolean isGet(HttpExchange ex) throws IOException {
        String m = ex.getRequestMethod();
        if (m.equals("GET") || m.equals("HEAD")) return true;
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(ex, 405, "text/plain; charset=utf-8", "method " + m + " not allowed here\n");
        return false;
    }

    private static boolean isPost(HttpExchange ex) throws IOException {
        if (ex.getRequestMethod().equals("POST")) return true;
        ex.getResponseHeaders().set("Allow", "POST");
        respond(ex, 405, "text/plain; charset=utf-8", "use POST (a form of the status page)\n");
        return false;
    }

    private static void redirect(HttpExchange ex, String location, String cookie) throws IOException {
        ex.getResponseHeaders().set("Location", location);
        if (cookie != null) ex.getResponseHeaders().set("Set-Cookie", cookie);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(303, -1);
        ex.close();
    }

    private static void html(HttpExchange ex, int code, String body) throws IOException {
        // no inline script or style: the page's own files only, never framed, forms only to this server
        ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
        ex.getResponseHeaders().set("X-Frame-Options", "DENY");
        // same-origin (not no-referrer): with no-referrer browsers send "Origin: null" on the page's own form posts
        ex.getResponseHeaders().set("Referrer-Policy", "same-origin");
        respond(ex, code, "text/html; charset=utf-8", body);
    }

    private static void respond(HttpExchange ex, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(code, head ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            if (!head) out.write(bytes);
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
        streams.forEach(s -> close(s, "the server stops"));
        server.stop(0);
        handlers.shutdownNow();
        streamWriters.shutdownNow();
    }
}
