package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.ConfigException;

/** Split-brain detection on recorded output, recovery policies, and {@code vigil drbd resolve}. */
class SplitBrainTest {
    @TempDir
    Path dir;

    @Test
    void detect_splitBrainHelperCall_confirmed() {
        DrbdStateTracker t = DrbdStateTracker.of(RecordingDrbd.resource("events2/adapted-split-brain.events2"));
        List<SplitBrain.Finding> f = SplitBrain.detect(t);
        assertEquals(1, f.size());
        assertTrue(f.get(0).confirmed());
        assertEquals("some-peer", f.get(0).peer());
        assertTrue(f.get(0).detail().contains("split-brain handler"), f.get(0).detail());
    }

    @Test
    void detect_standAloneWithData_suspected_butNotForDisklessOrConnected() {
        DrbdResourceStatus sb = DrbdStatusParser.parse(RecordingDrbd.resource("status-json/adapted-standalone-split-brain.json")).get(0);
        List<SplitBrain.Finding> f = SplitBrain.suspect(sb);
        assertEquals(1, f.size());
        assertFalse(f.get(0).confirmed());

        assertTrue(SplitBrain.detect(DrbdStateTracker.of(RecordingDrbd.resource("events2/standalone-diskless-helper.events2"))).isEmpty(),
                "a Diskless StandAlone node has nothing to diverge");
        assertTrue(SplitBrain.detect(DrbdStateTracker.of(RecordingDrbd.resource("events2/become-primary-connected.events2"))).isEmpty());
        assertTrue(SplitBrain.suspect(DrbdStatusParser.parse(RecordingDrbd.resource("status-json/connected-primary.json")).get(0)).isEmpty());
    }

    @Test
    void resolution_victimSecondaryAndDiscard_thenSurvivorsConnect() {
        List<SplitBrain.Step> steps = SplitBrain.resolution("r0", "b", List.of("a", "c"), null);
        assertEquals(List.of(
                new SplitBrain.Step("b", List.of("drbdadm", "secondary", "r0")),
                new SplitBrain.Step("b", List.of("drbdadm", "connect", "--discard-my-data", "r0")),
                new SplitBrain.Step("a", List.of("drbdadm", "connect", "r0")),
                new SplitBrain.Step("c", List.of("drbdadm", "connect", "r0"))), steps);
        assertThrows(IllegalArgumentException.class, () -> SplitBrain.resolution("r0", "b", List.of("b"), null));
    }

    @Test
    void policy_discardSecondary_choosesTheSecondary_orNobody() {
        assertEquals(Optional.of("b"), SplitBrain.victimDiscardingSecondary("a", DrbdRole.Primary, "b", DrbdRole.Secondary));
        assertEquals(Optional.of("a"), SplitBrain.victimDiscardingSecondary("a", DrbdRole.Secondary, "b", DrbdRole.Primary));
        assertEquals(Optional.empty(), SplitBrain.victimDiscardingSecondary("a", DrbdRole.Primary, "b", DrbdRole.Primary));
        assertEquals(Optional.empty(), SplitBrain.victimDiscardingSecondary("a", DrbdRole.Secondary, "b", DrbdRole.Secondary));
    }

    @Test
    void policy_afterSbOptions_validatedPerPrimaryCount() {
        assertEquals("discard-secondary", SplitBrainPolicy.CONSERVATIVE.afterSb1pri());
        new SplitBrainPolicy("discard-node-alpha", "consensus", "violently-as0p", SplitBrainPolicy.Recovery.DISCARD_SECONDARY);
        assertThrows(ConfigException.class, () -> new SplitBrainPolicy("discard-secondary", "disconnect", "disconnect", null));
        assertThrows(ConfigException.class, () -> new SplitBrainPolicy("disconnect", "discard-zero-changes", "disconnect", null));
        assertThrows(ConfigException.class, () -> SplitBrainPolicy.Recovery.parse("split-brain-recovery", "auto"));
    }

    @Test
    void controller_discardSecondaryRecovery_runsOnlyThisNodesSide() {
        DrbdResourceConfig c = DrbdResourceConfig.fromParams("r0", Map.of("hosts", "a:10.0.0.1,b:10.0.0.2", "device", "/dev/drbd0",
                "disk", "/dev/sdb", "split-brain-recovery", "discard-secondary"));
        RecordingDrbd onB = new RecordingDrbd();
        assertEquals(Optional.of("b"), new DrbdController(onB, dir, java.time.Duration.ofSeconds(5)).recoverSplitBrain(c, "b", DrbdRole.Secondary, "a", DrbdRole.Primary));
        assertEquals(List.of("drbdadm secondary r0", "drbdadm connect --discard-my-data r0"), onB.commands());
        RecordingDrbd onA = new RecordingDrbd();
        assertEquals(Optional.of("b"), new DrbdController(onA, dir, java.time.Duration.ofSeconds(5)).recoverSplitBrain(c, "a", DrbdRole.Primary, "b", DrbdRole.Secondary));
        assertEquals(List.of("drbdadm connect r0"), onA.commands());
        RecordingDrbd both = new RecordingDrbd();
        assertEquals(Optional.empty(), new DrbdController(both, dir, java.time.Duration.ofSeconds(5)).recoverSplitBrain(c, "a", DrbdRole.Primary, "b", DrbdRole.Primary));
        assertTrue(both.commands().isEmpty());
        RecordingDrbd manual = new RecordingDrbd();
        DrbdResourceConfig m = DrbdResourceConfig.fromParams("r0", Map.of("hosts", "a:10.0.0.1,b:10.0.0.2", "device", "/dev/drbd0", "disk", "/dev/sdb"));
        assertEquals(Optional.empty(), new DrbdController(manual, dir, java.time.Duration.ofSeconds(5)).recoverSplitBrain(m, "b", DrbdRole.Secondary, "a", DrbdRole.Primary));
        assertTrue(manual.commands().isEmpty());
    }

    private Path writeResource() throws Exception {
        DrbdResourceConfig c = DrbdResourceConfig.fromParams("r0", Map.of("hosts", "n1=alpha:10.0.0.1,n2=beta:10.0.0.2,n3=gamma:10.0.0.3",
                "device", "/dev/drbd0", "disk", "/dev/sdb"));
        Files.writeString(dir.resolve("r0.res"), DrbdResourceFile.render(c));
        return dir.resolve("r0.res");
    }

    @Test
    void command_resolve_runsVictimStepsThenSurvivors_onTheirHosts() throws Exception {
        Path file = writeResource();
        Map<String, RecordingDrbd> hosts = new HashMap<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = DrbdCommand.run(new String[] {"resolve", "--discard", "beta", "--config-dir", dir.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), "alpha",
                h -> hosts.computeIfAbsent(h, x -> new RecordingDrbd()));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("drbdadm secondary r0", "drbdadm connect --discard-my-data r0"), hosts.get("beta").commands());
        assertEquals(List.of("drbdadm connect r0"), hosts.get("alpha").commands());
        assertEquals(List.of("drbdadm connect r0"), hosts.get("gamma").commands());
        assertEquals(List.of("drbdadm", "-c", file.toString(), "secondary", "r0"), hosts.get("beta").calls().get(0));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("discarding the changes of beta") && text.contains("on alpha (local): drbdadm -c"), text);
    }

    @Test
    void command_resolve_stepFails_stopsAndNamesIt() throws Exception {
        writeResource();
        RecordingDrbd beta = new RecordingDrbd().on(List.of("drbdadm", "secondary"), RecordingDrbd.fail(11, "r0: State change failed: (-12) Device is held open by someone\n"));
        RecordingDrbd alpha = new RecordingDrbd();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = DrbdCommand.run(new String[] {"drbd", "resolve", "--discard", "beta", "--resource", "r0", "--config-dir", dir.toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "alpha", h -> h.equals("beta") ? beta : alpha);
        assertEquals(1, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("on beta exited 11: r0: State change failed"), err.toString(StandardCharsets.UTF_8));
        assertEquals(1, beta.commands().size());
        assertTrue(alpha.commands().isEmpty(), "survivors do not reconnect before the victim discarded its data");
    }

    @Test
    void command_usageErrors_exit2() throws Exception {
        writeResource();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, DrbdCommand.run(new String[] {"resolve"}, o, e, "alpha", h -> new RecordingDrbd()));
        assertEquals(2, DrbdCommand.run(new String[] {"resolve", "--discard", "delta", "--config-dir", dir.toString()}, o, e, "alpha", h -> new RecordingDrbd()));
        assertEquals(2, DrbdCommand.run(new String[] {"frobnicate"}, o, e, "alpha", h -> new RecordingDrbd()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("delta is not a host of this resource; hosts: [alpha, beta, gamma]"));
    }

    @Test
    void command_dryRun_runsNothing() throws Exception {
        writeResource();
        RecordingDrbd any = new RecordingDrbd();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, DrbdCommand.run(new String[] {"resolve", "--discard", "gamma", "--dry-run", "--config-dir", dir.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err, "alpha", h -> any));
        assertTrue(any.commands().isEmpty());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("would run on gamma: drbdadm -c"));
    }
}
