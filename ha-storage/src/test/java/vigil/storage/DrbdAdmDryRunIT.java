package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vigil.api.spi.ProcessRunner;
import vigil.testkit.LabDir;

/**
 * Every drbdadm command the controller builds is accepted by the real drbdadm, checked in dry-run mode ({@code -d}:
 * drbdadm prints the drbdsetup / drbdmeta calls it would make; no kernel module needed), on a generated resource file.
 */
class DrbdAdmDryRunIT {
    static final Duration T = Duration.ofSeconds(60);
    static final ProcessRunner RUN = ProcessRunner.local();
    static Path lab;
    static Path file;

    @BeforeAll
    static void writeResource() {
        assumeTrue(RUN.run(List.of("drbdadm", "--version"), T).exitCode() != 127, "drbd-utils (drbdadm) is not installed");
        String host = RUN.run(List.of("hostname"), T).stdout().strip();
        lab = LabDir.create("drbdadm");
        DrbdController c = new DrbdController(RUN, lab, T);
        c.writeConfig(DrbdResourceConfig.fromParams("r5", Map.of("hosts", "me=" + host + ":127.0.0.1,peer:127.0.0.2",
                "device", "/dev/drbd5", "disk", "/dev/vg0/r5")));
        file = c.configFile("r5");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (lab == null) return;
        try (Stream<Path> s = Files.walk(lab)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static List<String> dryRun(List<String> argv) {
        List<String> cmd = DrbdAdm.withConfig(file, DrbdAdm.dryRun(argv));
        ProcessRunner.ProcessResult r = RUN.run(cmd, T);
        assertEquals(0, r.exitCode(), String.join(" ", cmd) + "\n" + r.stdout() + r.stderr());
        return r.stdout().lines().toList();
    }

    @Test
    void stateChanges_mapToTheExpectedDrbdsetupCalls() {
        assertEquals(List.of("drbdsetup down r5"), dryRun(DrbdAdm.down("r5")));
        assertEquals(List.of(String.join(" ", DrbdSetup.primary("r5", false))), dryRun(DrbdAdm.primary("r5", false)));
        assertEquals(List.of(String.join(" ", DrbdSetup.primary("r5", true))), dryRun(DrbdAdm.primary("r5", true)));
        assertEquals(List.of(String.join(" ", DrbdSetup.secondary("r5"))), dryRun(DrbdAdm.secondary("r5")));
        assertEquals(List.of("drbdsetup connect r5 1"), dryRun(DrbdAdm.connect("r5", false)));
        assertEquals(List.of("drbdsetup connect r5 1 --discard-my-data"), dryRun(DrbdAdm.connect("r5", true)));
        assertEquals(List.of("drbdsetup disconnect r5 1"), dryRun(DrbdAdm.disconnect("r5")));
        assertEquals(List.of("drbdsetup outdate r5 5", "drbdmeta 5 v09 /dev/vg0/r5 internal outdate"), dryRun(DrbdAdm.outdate("r5")));
        assertEquals(List.of("drbdmeta 5 v09 /dev/vg0/r5 internal create-md 1 --force"), dryRun(DrbdAdm.createMd("r5")));
        assertEquals(List.of("drbdsetup status r5"), dryRun(DrbdAdm.status("r5")));
    }

    @Test
    void upAndAdjust_createResourcePeerPathAttachConnect() {
        for (List<String> argv : List.of(DrbdAdm.up("r5"), DrbdAdm.adjust("r5"))) {
            List<String> verbs = new ArrayList<>();
            for (String l : dryRun(argv)) verbs.add(l.split(" ")[0] + " " + l.split(" ")[1]);
            assertEquals(List.of("drbdsetup new-resource", "drbdsetup new-minor", "drbdsetup new-peer", "drbdsetup new-path", "drbdmeta 5",
                    "drbdsetup attach", "drbdsetup connect"), verbs, String.join(" ", argv));
        }
    }

    @Test
    void splitBrainResolution_victimAndSurvivorSteps_acceptedByDrbdadm() {
        List<String> out = new ArrayList<>();
        for (SplitBrain.Step s : SplitBrain.resolution("r5", "victim", List.of("survivor"), file)) {
            List<String> argv = new ArrayList<>(s.argv());
            argv.add(1, "-d");
            ProcessRunner.ProcessResult r = RUN.run(argv, T);
            assertEquals(0, r.exitCode(), argv + r.stderr());
            out.add(s.node() + ": " + r.stdout().strip());
        }
        assertEquals(List.of("victim: drbdsetup secondary r5", "victim: drbdsetup connect r5 1 --discard-my-data", "survivor: drbdsetup connect r5 1"), out);
    }
}
