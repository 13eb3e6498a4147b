package vigil.engine.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.testkit.ManualClock;

class LedgerTest {
    @Test
    void entry_lineRoundTrips() {
        var begin = new Ledger.Entry(1_732_381_234_000_000_001L, "n1", "d1", "start", "begin", -1);
        assertEquals("ns=1732381234000000001 node=n1 resource=d1 action=start phase=begin", begin.line());
        assertEquals(begin, Ledger.Entry.parse(begin.line()));
        var end = new Ledger.Entry(5, "n2", "st:1", "demote", "end", 198);
        assertEquals(end, Ledger.Entry.parse(end.line()));
        assertThrows(IllegalArgumentException.class, () -> Ledger.Entry.parse("garbage"));
    }

    @Test
    void appendAndRead_wallClockNanos_tornLastLineSkipped(@TempDir Path dir) throws Exception {
        ManualClock clock = new ManualClock(Instant.ofEpochSecond(1_700_000_000L, 123));
        Path f = dir.resolve("sub/ledger");
        try (Ledger l = Ledger.open(f, clock)) {
            l.begin("n1", "d1", "start");
            clock.advance(java.time.Duration.ofMillis(5));
            l.end("n1", "d1", "start", 0);
        }
        Files.writeString(f, "ns=17000000", java.nio.file.StandardOpenOption.APPEND); // a writer killed mid-line
        List<Ledger.Entry> e = Ledger.read(f);
        assertEquals(2, e.size());
        assertEquals(1_700_000_000_000_000_123L, e.get(0).epochNanos());
        assertEquals(1_700_000_000_005_000_123L, e.get(1).epochNanos());
        assertEquals(0, e.get(1).rc());
    }
}
