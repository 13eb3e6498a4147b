package vigil.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evidence file format, its incremental reader, and the lab service that writes it. */
class EvidenceTest {
    @TempDir
    Path dir;

    @Test
    void line_roundTripsAndABadLineIsNamed() {
        Evidence.Line l = new Evidence.Line(1_700_000_000_123_456_789L, "n1", 42, "keeper", "n1.ab.3", Evidence.Event.PROMOTE);
        assertEquals(l, Evidence.Line.parse(l.text()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Evidence.Line.parse("ns=1 node=n1 event=bogus"));
        assertTrue(e.getMessage().contains("event=bogus"), e.getMessage());
    }

    @Test
    void reader_readsWhatWasAppendedSinceTheLastCall_andWaitsForATornLine() throws Exception {
        Path f = dir.resolve("evidence").resolve("n1");
        Files.createDirectories(f.getParent());
        Evidence.Reader r = new Evidence.Reader(f.getParent());
        Evidence.Line start = new Evidence.Line(1000, "n1", 7, "ticker", "a", Evidence.Event.START);
        Evidence.Line tick = new Evidence.Line(2000, "n1", 7, "ticker", "a", Evidence.Event.TICK);
        Evidence.Line stop = new Evidence.Line(3000, "n1", 7, "ticker", "a", Evidence.Event.STOP);
        String stopText = stop.text() + "\n";
        Files.writeString(f, start.text() + "\n" + tick.text() + "\n" + stopText.substring(0, 10), StandardOpenOption.CREATE);
        Evidence.Activation a = r.activations().get(0);
        assertEquals(Long.MAX_VALUE, a.stopNanos(), "the torn stop line is not read yet");
        assertEquals(1, a.ticks());
        Files.writeString(f, stopText.substring(10), StandardOpenOption.APPEND);
        a = r.activations().get(0);
        assertEquals(3000, a.stopNanos());
        assertEquals(2000, a.lastNanos());
        assertEquals(1000, a.startNanos());
    }

    @Test
    void writer_anInterruptedWriterDoesNotSilenceTheOthers() throws Exception {
        // a stop interrupts the service's ticking thread, which may be inside a write at that moment
        Path f = dir.resolve("evidence").resolve("n1");
        try (Evidence.Writer w = new Evidence.Writer(f)) {
            Thread ticking = new Thread(() -> {
                Thread.currentThread().interrupt();
                w.append(new Evidence.Line(1000, "n1", 7, "beacon", "b", Evidence.Event.TICK));
            });
            ticking.start();
            ticking.join();
            w.append(new Evidence.Line(2000, "n1", 7, "beacon", "b", Evidence.Event.STOP));
            w.append(new Evidence.Line(3000, "n1", 7, "keeper", "k", Evidence.Event.START));
        }
        List<String> lines = Files.readAllLines(f);
        assertEquals(3, lines.size(), lines.toString());
        assertEquals(Evidence.Event.STOP, Evidence.Line.parse(lines.get(1)).event());
    }

    @Test
    void activations_aPromotionEndsAtItsDemotionOrAtTheStop() {
        List<Evidence.Activation> as = Evidence.activations(List.of(
                new Evidence.Line(10, "n1", 7, "keeper", "k", Evidence.Event.START),
                new Evidence.Line(20, "n1", 7, "keeper", "k", Evidence.Event.PROMOTE),
                new Evidence.Line(30, "n1", 7, "keeper", "k", Evidence.Event.DEMOTE),
                new Evidence.Line(40, "n1", 7, "keeper", "k", Evidence.Event.PROMOTE),
                new Evidence.Line(50, "n1", 7, "keeper", "k", Evidence.Event.STOP)));
        assertEquals(1, as.size());
        List<long[]> p = as.get(0).promotions();
        assertEquals(2, p.size());
        assertEquals(List.of(20L, 30L, 40L, 50L), List.of(p.get(0)[0], p.get(0)[1], p.get(1)[0], p.get(1)[1]));
    }

    @Test
    void labService_leavesAStartTicksPromotionsAndAStopAfterTheLastTick() throws Exception {
        Path f = dir.resolve("ev").resolve("n1");
        try (Evidence.Writer w = new Evidence.Writer(f)) {
            LabService s = new LabService("keeper", "n1", true, w);
            s.start();
            Thread.sleep(Duration.ofMillis(250).toMillis());
            s.promote();
            assertTrue(s.isPromoted());
            s.demote();
            s.stop();
            assertTrue(!s.isRunning());
        }
        List<Evidence.Activation> as = new Evidence.Reader(f.getParent()).activations();
        assertEquals(1, as.size(), as.toString());
        Evidence.Activation a = as.get(0);
        assertTrue(a.ticks() >= 2, a.toString());
        assertTrue(a.lastNanos() < a.stopNanos(), "no tick after the stop line: " + a);
        assertEquals(1, a.promotions().size());
        assertTrue(a.promotions().get(0)[1] < a.stopNanos(), "demoted before the stop");
    }

    @Test
    void labService_aSingletonRefusesPromotion() {
        try (Evidence.Writer w = new Evidence.Writer(dir.resolve("n1"))) {
            LabService s = new LabService("ticker", "n1", false, w);
            assertThrows(UnsupportedOperationException.class, s::promote);
        }
    }
}
