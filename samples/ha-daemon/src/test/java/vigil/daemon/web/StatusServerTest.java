package vigil.daemon.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vigil.api.model.FenceDevice;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.OcfCode;
import vigil.daemon.StateMachineCluster;
import vigil.daemon.TestClusters;
import vigil.engine.state.Command;
import vigil.raft.runtime.ClusterNode.LocalView;

class StatusServerTest {
    static final String TOKEN = "admin-token-0123456789";
    static final String FENCE_PASSWORD = "ipmi-secret-pw";
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final StateMachineCluster cluster = TestClusters.threeNodes();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ClusterMeters meters;
    StatusServer server;

    @BeforeEach
    void start() {
        cluster.updateConfig(c -> c.toBuilder().fenceDevice(new FenceDevice("ipmi-n1", "ipmi", Map.of("ip", "10.0.0.9", "password", FENCE_PASSWORD),
                List.of("n1"), Map.of(), Duration.ZERO)).build());
        cluster.commit(started("d1", "n1"));
        java.util.function.Supplier<LocalView> view = () -> new LocalView("n1", "n1", 2, true, cluster.status());
        meters = ClusterMeters.bind(cluster, view, registry);
        server = StatusServer.start(new StatusServer.Sources(cluster, view, registry::scrape, StatusServer.secretEquals(TOKEN)), "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
        meters.close();
    }

    static Command started(String resource, String node) {
        return new Command.RecordOperation(resource, node, "start", null, OcfCode.SUCCESS, Duration.ofMillis(40), "", "", OptionalInt.empty());
    }

    HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(10));
        if (cookie != null) b.header("Cookie", cookie);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String cookie, String origin, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) b.header("Cookie", cookie);
        if (origin != null) b.header("Origin", origin);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Logs in and returns the session cookie. */
    String login() throws Exception {
        HttpResponse<String> r = post("/login", null, null, Map.of("token", TOKEN));
        assertEquals(303, r.statusCode());
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        return cookie.substring(0, cookie.indexOf(';'));
    }

    static String csrf(String page) {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page);
        assertTrue(m.find(), "no CSRF token in the page");
        return m.group(1);
    }

    @Test
    void https_servesThePageWithTheNodeCertificate_andTheSessionCookieIsSecure() throws Exception {
        Path pki = java.nio.file.Files.createTempDirectory("vigil-web-pki");
        vigil.raft.tls.ClusterCa ca = vigil.raft.tls.ClusterCa.create("web", java.util.UUID.randomUUID());
        ca.save(pki);
        vigil.raft.tls.NodeTls tls = ca.issueNode("n1", List.of("127.0.0.1"));
        java.util.function.Supplier<LocalView> view = () -> new LocalView("n1", "n1", 2, true, cluster.status());
        try (StatusServer https = StatusServer.start(new StatusServer.Sources(cluster, view, registry::scrape, StatusServer.secretEquals(TOKEN)), "127.0.0.1", 0,
                tls.serverSslContext())) {
            HttpClient trusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(vigil.daemon.TestTls.trusting(pki.resolve("ca.crt"))).build();
            String base = "https://127.0.0.1:" + https.port();
            HttpResponse<String> page = trusting.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("d1"), page.body());
            HttpResponse<String> login = trusting.send(HttpRequest.newBuilder(URI.create(base + "/login")).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(TOKEN, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(303, login.statusCode());
            assertTrue(login.headers().firstValue("Set-Cookie").orElseThrow().contains("; Secure"), "the session cookie never goes over plaintext");
            // a plaintext client gets no page from the HTTPS port
            assertThrows(java.io.IOException.class, () -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + https.port() + "/"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()));
            // a client that does not trust the cluster CA refuses the server
            assertThrows(javax.net.ssl.SSLHandshakeException.class, () -> http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void page_isCompleteWithoutJavaScript_readOnly_andHoldsNoSecret() throws Exception {
        HttpResponse<String> r = get("/", null);
        assertEquals(200, r.statusCode());
        String page = r.body();
        assertTrue(page.contains("<tr data-resource=\"d1\">") && page.contains("<td class=\"where ok\">Started n1</td>"), page);
        assertTrue(page.contains("<tr data-node=\"n2\">"), page);
        assertTrue(page.contains("<tr data-device=\"ipmi-n1\">"), page);
        assertTrue(page.contains("<time datetime=\"2026-01-01T00:00:01Z\">"), page);
        assertFalse(page.contains("connecting"), page);
        assertFalse(page.contains("action=\"action\""), "no action forms without login");
        assertFalse(page.contains(FENCE_PASSWORD) || page.contains(TOKEN), "a secret on the page");
        assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        assertEquals(200, get("/page.js", null).statusCode());
        assertEquals(404, get("/nothing", null).statusCode());
    }

    @Test
    void login_wrongToken_isRefused() throws Exception {
        HttpResponse<String> r = post("/login", null, null, Map.of("token", "guess"));
        assertEquals(303, r.statusCode());
        assertEquals("./?login=failed", r.headers().firstValue("Location").orElse(""));
        assertTrue(r.headers().firstValue("Set-Cookie").isEmpty());
        assertTrue(get("/?login=failed", null).body().contains("wrong token"));
    }

    @Test
    void action_afterLogin_withCsrfToken_putsNodeInStandby() throws Exception {
        String cookie = login();
        String page = get("/", cookie).body();
        assertTrue(page.contains("data-action=\"standby\""), page);
        assertFalse(page.contains(FENCE_PASSWORD) || page.contains(TOKEN), "a secret on the admin page");
        HttpResponse<String> r = post("/action", cookie, "http://127.0.0.1:" + server.port(), Map.of("csrf", csrf(page), "action", "standby", "node", "n1"));
        assertEquals(303, r.statusCode(), r.body());
        assertTrue(cluster.status().node("n1").standby());
        String after = get("/", cookie).body();
        assertTrue(after.contains("node n1 is in standby"), after);
        assertTrue(after.contains("online (standby)"), after);
    }

    @Test
    void action_withoutSessionOrCsrfOrFromAnotherSite_isRefusedAndChangesNothing() throws Exception {
        String cookie = login();
        String token = csrf(get("/", cookie).body());
        assertEquals(403, post("/action", null, null, Map.of("csrf", token, "action", "standby", "node", "n1")).statusCode());
        assertEquals(403, post("/action", cookie, null, Map.of("action", "standby", "node", "n1")).statusCode());
        assertEquals(403, post("/action", cookie, null, Map.of("csrf", "forged", "action", "standby", "node", "n1")).statusCode());
        assertEquals(403, post("/action", cookie, "http://evil.example", Map.of("csrf", token, "action", "standby", "node", "n1")).statusCode());
        assertEquals(405, get("/action", cookie).statusCode());
        assertFalse(cluster.status().node("n1").standby());
    }

    @Test
    void action_badField_isRefusedWithTheFieldNamed() throws Exception {
        String cookie = login();
        String token = csrf(get("/", cookie).body());
        assertEquals(303, post("/action", cookie, null, Map.of("csrf", token, "action", "move", "resource", "d1", "node", "n2", "lifetime", "soon")).statusCode());
        String page = get("/", cookie).body();
        assertTrue(page.contains("flash-error") && page.contains("lifetime"), page);
        assertTrue(cluster.status().config().constraints().isEmpty());
    }

    @Test
    void logout_endsTheSession() throws Exception {
        String cookie = login();
        String token = csrf(get("/", cookie).body());
        assertEquals(303, post("/logout", cookie, null, Map.of("csrf", token)).statusCode());
        assertEquals(403, post("/action", cookie, null, Map.of("csrf", token, "action", "standby", "node", "n1")).statusCode());
    }

    @Test
    void liveAndEvents_pushTheChange() throws Exception {
        HttpResponse<java.io.InputStream> live = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/live")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<java.io.InputStream> events = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader l = new BufferedReader(new InputStreamReader(live.body(), StandardCharsets.UTF_8));
             BufferedReader e = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
            assertTrue(nextEvent(l).contains("Started n1"));
            assertTrue(nextEvent(e).contains("\"role\":\"Started\""));
            cluster.commit(new Command.SetMembership("n1", Membership.UNCLEAN, "silent"),
                    new Command.RecordFence(new FenceEvent("n1", "off", List.of("ipmi-n1"), "n2", true, Instant.parse("2026-01-01T00:01:00Z"), "")),
                    started("d1", "n2"));
            String html = nextEvent(l);
            while (!html.contains("Started n2")) html = nextEvent(l);
            assertTrue(html.contains("<td class=\"where ok\">Started n2</td>"), html);
            String json = nextEvent(e);
            while (!json.contains("\"target\":\"n1\"")) json = nextEvent(e);
        }
        String metrics = get("/metrics", null).body();
        assertTrue(metrics.contains("vigil_node_leader{node=\"n1\"} 1.0"), metrics);
    }

    @Test
    void liveUpdateStreams_areCapped_andTheRestOfThePageStillAnswers() throws Exception {
        List<java.net.Socket> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < StatusServer.MAX_STREAMS; i++) {
                java.net.Socket s = eventsRequest(server.port());
                open.add(s);
                assertTrue(statusLine(s).contains(" 200 "), "stream " + i);
            }
            java.net.Socket extra = eventsRequest(server.port());
            open.add(extra);
            String refused = statusLine(extra);
            assertTrue(refused.contains(" 503 "), refused);
            assertEquals(200, get("/status.json", null).statusCode());
            open.remove(0).close();
            String again = null;
            // a client that left frees its place once a keep-alive finds it gone
            for (int attempt = 0; attempt < 60 && (again == null || !again.contains(" 200 ")); attempt++) {
                Thread.sleep(250);
                java.net.Socket s = eventsRequest(server.port());
                open.add(s);
                again = statusLine(s);
            }
            assertTrue(again.contains(" 200 "), again);
        } finally {
            for (java.net.Socket s : open) s.close();
        }
    }

    private static java.net.Socket eventsRequest(int port) throws Exception {
        java.net.Socket s = new java.net.Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        s.getOutputStream().write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    private static String statusLine(java.net.Socket s) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int c = s.getInputStream().read(); c >= 0 && c != '\n'; c = s.getInputStream().read()) b.append((char) c);
        return b.toString();
    }

    /** The data of the next SSE message (data lines joined by newlines). */
    private static String nextEvent(BufferedReader r) throws Exception {
        StringBuilder data = new StringBuilder();
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (line.startsWith("data: ")) data.append(data.length() > 0 ? "\n" : "").append(line.substring(6));
            else if (line.isEmpty() && data.length() > 0) return data.toString();
        }
        throw new AssertionError("event stream ended");
    }
}
