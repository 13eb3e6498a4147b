package vigil.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import vigil.testkit.Peer;

/**
 * The web page in headless Chromium (Debian's package, driven by playwright-core), as an admin uses it: the server's
 * rendering already shows where d1 runs (JavaScript off); the admin logs in with the cluster token, puts the node
 * running d1 in standby from the page and sees d1 move; takes it online again; then the node running d1 is killed and
 * the page shows d1 recovered elsewhere, live. Screenshots of both moments are kept in target/failsafe-reports/.
 */
class StatusPageIT {
    static final Path BROWSER = Path.of("src/test/browser");
    static final Path SCREENSHOTS = Path.of("target", "failsafe-reports").toAbsolutePath();

    @Test
    void statusPage_adminPutsNodeInStandby_andSeesFailoverLive() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromium")), "chromium not installed");
        assumeTrue(Peer.installed("node") && Peer.installed("npm"), "node / npm not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/ocf/resource.d/heartbeat/Dummy")), "resource-agents (OCF Dummy) not installed");
        if (!Files.isDirectory(BROWSER.resolve("node_modules/playwright-core"))) {
            // not the test JVM's stdin: node makes it non-blocking, and the test runner's channel on it then fails the build
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(BROWSER.toFile()).inheritIO()
                    .redirectInput(new File("/dev/null")).start();
            assertEquals(0, npm.waitFor(), "npm ci in " + BROWSER);
        }
        Files.createDirectories(SCREENSHOTS);
        Path standbyShot = SCREENSHOTS.resolve("status-page-standby.png");
        Path failoverShot = SCREENSHOTS.resolve("status-page-failover.png");
        Files.deleteIfExists(standbyShot);
        Files.deleteIfExists(failoverShot);
        try (DaemonCluster cluster = new DaemonCluster()) {
            // the witness serves the page: it runs no resources and survives the kill
            ProcessBuilder pb = new ProcessBuilder("node", "status-page.mjs", cluster.http("w") + "/", "d1", SCREENSHOTS.toString(), "120")
                    .directory(BROWSER.toFile()).redirectErrorStream(true).redirectInput(new File("/dev/null"));
            pb.environment().put("VIGIL_ADMIN_TOKEN", Files.readString(cluster.tokenFile).trim());
            Process browser = pb.start();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(browser.getInputStream(), StandardCharsets.UTF_8))) {
                String rendered = lines.readLine();
                assertTrue(rendered != null && rendered.matches("RENDERED Started n[12]"), "the server's page did not show d1 running: " + rendered);
                assertEquals("LOGGED_IN", lines.readLine());
                String standby = String.valueOf(lines.readLine());
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("STANDBY (n[12]) MOVED (n[12])").matcher(standby);
                assertTrue(m.matches() && !m.group(1).equals(m.group(2)), "the page did not show d1 leaving the node put in standby: " + standby);
                assertEquals("ONLINE " + m.group(1), lines.readLine());
                assertTrue(!cluster.status().node(m.group(1)).standby(), m.group(1) + " is still in standby");
                String active = lines.readLine();
                assertTrue(active != null && active.startsWith("ACTIVE "), "the page did not show where d1 runs: " + active);
                String victim = active.substring("ACTIVE ".length());
                assertTrue(List.of("n1", "n2").contains(victim), active);
                cluster.kill(victim);
                String moved = lines.readLine();
                assertTrue(moved != null && moved.startsWith("MOVED ") && !moved.endsWith(victim), "the page did not show the failover: " + moved);
                assertTrue(browser.waitFor(30, TimeUnit.SECONDS), "browser script did not exit");
                assertEquals(0, browser.exitValue());
            } finally {
                browser.destroyForcibly();
            }
        }
        assertTrue(Files.size(standbyShot) > 10_000, "screenshot " + standbyShot);
        assertTrue(Files.size(failoverShot) > 10_000, "screenshot " + failoverShot);
    }
}
