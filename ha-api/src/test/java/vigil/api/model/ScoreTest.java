package vigil.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ScoreTest {
    @Test
    void parse_infinityForms() {
        assertEquals(Score.INFINITY, Score.parse("s", "INFINITY"));
        assertEquals(Score.INFINITY, Score.parse("s", "+INFINITY"));
        assertEquals(Score.MINUS_INFINITY, Score.parse("s", "-inf"));
        assertEquals(Score.of(-50), Score.parse("s", "-50"));
        assertEquals(Score.INFINITY, Score.parse("s", "99999999999"));
    }

    @Test
    void plus_minusInfinityWins() {
        assertEquals(Score.MINUS_INFINITY, Score.INFINITY.plus(Score.MINUS_INFINITY));
        assertEquals(Score.INFINITY, Score.INFINITY.plus(Score.of(-5)));
    }

    @Property
    void plus_staysWithinInfinity(@ForAll int a, @ForAll int b) {
        int v = Score.of(a).plus(Score.of(b)).value();
        org.junit.jupiter.api.Assertions.assertTrue(v <= Score.INFINITY_VALUE && v >= -Score.INFINITY_VALUE, "score " + v);
    }

    @Test
    void durations_pacemakerForms() {
        assertEquals(Duration.ofSeconds(20), Durations.parse("f", "20"));
        assertEquals(Duration.ofMillis(500), Durations.parse("f", "500ms"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("f", "5min"));
        assertEquals(Duration.ofMinutes(1), Durations.parse("f", "PT1M"));
        assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
    }
}
