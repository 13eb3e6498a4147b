package vigil.engine.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.model.Constraint;
import vigil.api.status.ClusterState;
import vigil.engine.cib.CibImporter;

class SchedulerBenchCommandTest {
    @Test
    void write_generatedCib_hasTheAdvertisedShape(@TempDir Path dir) throws Exception {
        Path cib = dir.resolve("b.xml");
        SchedulerBenchCommand.write(cib, 1000, 100);
        ClusterState s = CibImporter.read(cib, Instant.EPOCH);
        assertEquals(100, s.config().nodes().size());
        assertEquals(1000, s.config().primitives().count());
        assertEquals(500, s.config().constraints().size());
        assertEquals(167, s.config().constraints().stream().filter(c -> c instanceof Constraint.Location).count());
        assertEquals(167, s.config().constraints().stream().filter(c -> c instanceof Constraint.Colocation).count());
        assertEquals(166, s.config().constraints().stream().filter(c -> c instanceof Constraint.Order).count());
        assertEquals(500, s.resources().size());
        assertEquals(List.of("node001"), s.activeNodes("r0"));
        assertEquals(List.of("node002"), s.activeNodes("r2"));
        assertEquals(List.of("node001"), s.activeNodes("r200"));
        assertEquals(List.of(), s.activeNodes("r1"));
        Path again = dir.resolve("c.xml");
        SchedulerBenchCommand.write(again, 1000, 100);
        assertEquals(-1, Files.mismatch(cib, again), "deterministic");
    }

    @Test
    void argv_launcherOrThisJvm() {
        assertEquals(List.of("/x/bin/vigil", "simulate", "--cib", "/t/b.xml"), SchedulerBenchCommand.vigilArgv("/x/bin/vigil", Path.of("/t/b.xml")));
        List<String> own = SchedulerBenchCommand.vigilArgv(null, Path.of("/t/b.xml"));
        assertEquals(List.of(SimulateCommand.class.getName(), "--cib", "/t/b.xml"), own.subList(own.size() - 3, own.size()));
        assertEquals(List.of("crm_simulate", "-R", "-x", "/t/b.xml"), SchedulerBenchCommand.crmArgv(Path.of("/t/b.xml")));
    }

    @Test
    void lineDifference_countsEveryLineOnlyOneSideHas_asMultisets() {
        var d = SchedulerBenchCommand.LineDifference.of(List.of("Start a (n1)", "Start b (n2)", "Start b (n2)", "Stop c (n3)"),
                List.of("Start b (n2)", "Stop c (n3)", "Start a (n4)"));
        assertEquals(List.of("Start a (n1)", "Start b (n2)"), d.onlyInVigil());
        assertEquals(List.of("Start a (n4)"), d.onlyInCrm());
        var same = SchedulerBenchCommand.LineDifference.of(List.of("x", "y"), List.of("y", "x"));
        assertEquals(List.of(), same.onlyInVigil());
        assertEquals(List.of(), same.onlyInCrm());
    }
}
