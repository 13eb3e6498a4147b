package vigil.engine.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every file under {@code src/test/resources/scenarios}: the plan must render exactly as the file's expected
 * section (a line diff is printed otherwise), planning twice gives the same transition, and, unless the file says
 * {@code settles false}, applying the plan's outcome and planning again changes nothing.
 * With {@code -Dscenarios.update=true} the expected sections are rewritten from the current scheduler (review the diff).
 */
class SchedulerScenarioTest {
    static final Path DIR = Path.of("src/test/resources/scenarios");

    static List<Path> files() {
        try (Stream<Path> s = Files.list(dirOnClasspath())) {
            return s.filter(p -> p.toString().endsWith(".scenario")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path dirOnClasspath() {
        try {
            return Path.of(SchedulerScenarioTest.class.getResource("/scenarios").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void corpus_hasAtLeast150Scenarios() {
        assertTrue(files().size() >= 150, "only " + files().size() + " scenario files");
    }

    @TestFactory
    List<DynamicTest> scenarios() {
        List<DynamicTest> tests = new ArrayList<>();
        boolean update = Boolean.getBoolean("scenarios.update");
        for (Path f : files()) {
            tests.add(DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f, update)));
        }
        return tests;
    }

    static void run(Path file, boolean update) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Scenario sc = Scenario.parse(text);
        Transition t = Scheduler.plan(sc.state);
        String actual = Scenario.render(sc.state, t);
        assertEquals(t, Scheduler.plan(sc.state), "planning twice gave different transitions");
        if (update) {
            Path src = DIR.resolve(file.getFileName());
            Files.writeString(src, sc.input.stripTrailing() + "\n\n" + Scenario.EXPECTED + "\n" + actual + "\n", StandardCharsets.UTF_8);
        } else if (!actual.equals(sc.expected)) {
            fail(file.getFileName() + ": transition differs from the expected one\n" + diff(sc.expected, actual));
        }
        if (sc.settles) {
            var after = TransitionOutcome.apply(sc.state, t);
            Transition again = Scheduler.plan(after);
            List<PlannedAction> changes = again.actions().stream().filter(a -> a.kind() != ActionKind.MONITOR).toList();
            assertTrue(changes.isEmpty(), file.getFileName() + ": after applying the plan the scheduler still wants " + changes);
        }
    }

    /** A minimal line diff: '-' expected only, '+' actual only (LCS-based). */
    static String diff(String expected, String actual) {
        String[] a = expected.split("\n", -1);
        String[] b = actual.split("\n", -1);
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--)
            for (int j = b.length - 1; j >= 0; j--)
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
        StringBuilder sb = new StringBuilder();
        int i = 0, j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) { sb.append("  ").append(a[i]).append('\n'); i++; j++; }
            else if (j < b.length && (i == a.length || lcs[i][j + 1] >= lcs[i + 1][j])) sb.append("+ ").append(b[j++]).append('\n');
            else sb.append("- ").append(a[i++]).append('\n');
        }
        return sb.toString();
    }
}
