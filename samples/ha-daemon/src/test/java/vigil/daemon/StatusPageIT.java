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
 * The web status page in headless Chromium (Debian's package, driven by playwright-core): it shows where d1 runs,
 * then, without a reload, that d1 moved when the node running it was killed; a screenshot is saved under target/.
 */
class StatusPageIT {
    static final Path BROWSER = Path.of("src/test/browser");

    @Test
    void statusPage_showsFailoverLive() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromium")), "chromium not installed");
        assumeTrue(Peer.installed("node") && Peer.installed("npm"), "node / npm not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/ocf/resource.d/heartbeat/Dummy")), "resource-agents (OCF Dummy) not installed");
        if (!Files.isDirectory(BROWSER.resolve("node_modules/playwright-core"))) {
            // not the test JVM's stdin: node makes it non-blocking, and the test runner's channel on it then fails the build
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(BROWSER.toFile()).inheritIO()
                    .redirectInput(new File("/dev/null")).start();
            assertEquals(0, npm.waitFor(), "npm ci in " + BROWSER);
        }
        Path screenshot = Path.of("target", "status-page-failover.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        try (DaemonCluster cluster = new DaemonCluster()) {
            // the witness serves the page: it runs no resources and survives the kill
            Process browser = new ProcessBuilder("node", "status-page.mjs", cluster.http("w") + "/", "d1", screenshot.toString(), "120")
                    .directory(BROWSER.toFile()).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(browser.getInputStream(), StandardCharsets.UTF_8))) {
                String first = lines.readLine();
                assertTrue(first != null && first.startsWith("ACTIVE "), "page did not show d1 running: " + first);
                String victim = first.substring("ACTIVE ".length());
                assertTrue(List.of("n1", "n2").contains(victim), first);
                cluster.kill(victim);
                String second = lines.readLine();
                assertTrue(second != null && second.startsWith("MOVED "), "page did not show the failover: " + second);
                assertTrue(!second.endsWith(victim), second);
                assertTrue(browser.waitFor(30, TimeUnit.SECONDS), "browser script did not exit");
                assertEquals(0, browser.exitValue());
            } finally {
                browser.destroyForcibly();
            }
        }
        assertTrue(Files.size(screenshot) > 10_000, "screenshot " + screenshot);
    }
}
