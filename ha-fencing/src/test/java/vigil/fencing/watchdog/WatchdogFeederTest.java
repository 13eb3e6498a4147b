package vigil.fencing.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.ConfigException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.api.status.FenceEvent;
import vigil.fencing.FenceAgents;
import vigil.fencing.TopologyFencer;
import vigil.testkit.Await;
import vigil.testkit.ManualClock;

/** This machine has no /dev/watchdog (no softdog module): a plain file stands in for the device. */
class WatchdogFeederTest {
    @TempDir
    Path dir;

    @Test
    void feed_writesUntilQuorumLost_thenNothing_andCloseLeavesItArmed() throws Exception {
        Path dev = dir.resolve("watchdog");
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (WatchdogFeeder f = new WatchdogFeeder(dev, Duration.ofSeconds(1), clock).open()) {
            assertEquals(1, Files.size(dev), "open arms and feeds once");
            clock.advance(Duration.ofSeconds(1));
            assertTrue(f.feed());
            assertEquals(2, Files.size(dev));
            assertEquals(clock.instant(), f.lastFeed());
            f.stopFeeding("no leader for node-timeout");
            assertFalse(f.feed());
            assertFalse(f.feed());
            assertEquals(2, Files.size(dev));
        }
        assertEquals("..", Files.readString(dev), "no magic close: the watchdog stays armed and resets the node");
    }

    @Test
    void close_whileFeeding_disarmsWithMagicV() throws Exception {
        Path dev = dir.resolve("watchdog");
        try (WatchdogFeeder f = new WatchdogFeeder(dev, Duration.ofSeconds(1), InstantSource.system()).open()) {
            f.stopFeeding("partition");
            f.resumeFeeding();
            assertTrue(f.feeding());
        }
        assertEquals("..V", Files.readString(dev));
    }

    @Test
    void timer_feedsRepeatedly_andStopsWhenTold() throws Exception {
        Path dev = dir.resolve("watchdog");
        try (WatchdogFeeder f = new WatchdogFeeder(dev, Duration.ofMillis(20), InstantSource.system()).start()) {
            Await.until(Duration.ofSeconds(20), "five feeds", () -> f.feeds() >= 5);
            f.stopFeeding("lost quorum");
            long size = Files.size(dev);
            long ticks = f.ticks();
            Await.until(Duration.ofSeconds(20), "five more timer ticks", () -> f.ticks() >= ticks + 5);
            assertEquals(size, Files.size(dev), "no write after stopFeeding");
        }
    }

    @Test
    void open_missingDevice_saysWhatToInstall() {
        var f = new WatchdogFeeder(dir.resolve("no/such/dir/watchdog"), Duration.ofSeconds(1), InstantSource.system());
        assertTrue(assertThrows(java.io.UncheckedIOException.class, f::open).getMessage().contains("softdog"));
        assertEquals(Duration.ofSeconds(2), WatchdogFeeder.intervalFor(Duration.ofSeconds(6)));
    }

    @Test
    void rule_recoverOnlyAfterNodeTimeoutPlusWatchdogTimeout() {
        Instant last = Instant.parse("2026-01-01T00:00:00Z");
        ManualClock clock = new ManualClock(last);
        Duration node = Duration.ofSeconds(1);
        Duration wd = Duration.ofSeconds(5);
        assertEquals(last.plusSeconds(6), WatchdogRule.recoverAt(last, node, wd));
        clock.advance(Duration.ofMillis(5999));
        assertFalse(WatchdogRule.mayRecover(clock.instant(), last, node, wd));
        clock.advance(Duration.ofMillis(1));
        assertTrue(WatchdogRule.mayRecover(clock.instant(), last, node, wd));
        assertThrows(IllegalArgumentException.class, () -> WatchdogRule.recoverAt(last, node, Duration.ZERO));
    }

    @Test
    void agent_offWaitsWatchdogTimeout_neverReportsStatus() {
        List<Duration> waited = new ArrayList<>();
        var a = new WatchdogFenceAgent("wd", Duration.ofSeconds(10), waited::add);
        FenceResult off = a.off(new FenceRequest("n1", null, Duration.ofSeconds(60)));
        assertInstanceOf(FenceResult.Off.class, off);
        assertEquals(List.of(Duration.ofSeconds(10)), waited);
        assertInstanceOf(FenceResult.Failed.class, a.status(new FenceRequest("n1", null, Duration.ofSeconds(1))));
        assertInstanceOf(FenceResult.Failed.class, a.on(new FenceRequest("n1", null, Duration.ofSeconds(1))));
        FenceResult tooShort = a.off(new FenceRequest("n1", null, Duration.ofSeconds(10)));
        assertInstanceOf(FenceResult.Failed.class, tooShort);
        assertTrue(tooShort.detail().contains("raise fence-timeout"), tooShort.detail());
    }

    @Test
    void agent_throughTopology_andConfigErrors() {
        var d = new FenceDevice("wd", "watchdog", Map.of("watchdog_timeout", "200ms"), List.of(), Map.of(), null);
        ClusterConfig cfg = ClusterConfig.builder().properties(ClusterProperties.builder().fenceTimeout(Duration.ofSeconds(5)).build()).fenceDevice(d).build();
        FenceEvent e = new TopologyFencer().fence(cfg, "n1", "off", "n2");
        assertTrue(e.success(), e.detail());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> FenceAgents.create(new FenceDevice("wd", "watchdog", Map.of(), List.of(), Map.of(), null)));
        assertEquals("fence-devices.wd.params.watchdog_timeout", missing.field());
    }
}
