package vigil.engine.ocf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vigil.api.spi.OperationResult;
import vigil.api.spi.ProcessRunner;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceDriverProvider;
import vigil.api.spi.ResourceInstance;
import vigil.api.status.OcfCode;
import vigil.testkit.LabDir;

/** Runs the real ocf:heartbeat:Dummy (resource-agents) and ocf:pacemaker:Stateful (pacemaker-resource-agents). */
class OcfDriverIT {
    private static final Path DUMMY = Path.of("/usr/lib/ocf/resource.d/heartbeat/Dummy");
    private static final Path STATEFUL = Path.of("/usr/lib/ocf/resource.d/pacemaker/Stateful");

    private Path lab;
    private OcfDriverProvider provider;

    @BeforeEach
    void setUp() {
        lab = LabDir.create("ocf");
        provider = new OcfDriverProvider(OcfDriver.DEFAULT_ROOT, ProcessRunner.local(), lab.resolve("private"));
    }

    @AfterEach
    void tearDown() throws IOException {
        try (var files = Files.walk(lab)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private ResourceInstance instance(String id, String type, Map<String, String> params, Map<String, String> meta, String peer) {
        return new ResourceInstance(id, type, 0, params, meta, "node1", Duration.ofSeconds(20), peer, Map.of(), Map.of());
    }

    @Test
    void dummy_startMonitorStop_stateFileFollows() {
        assumeTrue(Files.isExecutable(DUMMY), "resource-agents is not installed");
        ResourceDriver d = provider.create("ocf:heartbeat:Dummy");
        Path state = lab.resolve("d1.state");
        var inst = instance("d1", "ocf:heartbeat:Dummy", Map.of("state", state.toString()), Map.of(), "");

        assertEquals(OcfCode.NOT_RUNNING, d.monitor(inst).code());
        assertEquals(OcfCode.SUCCESS, d.start(inst).code());
        assertTrue(Files.exists(state));
        assertEquals(OcfCode.SUCCESS, d.monitor(inst).code());
        assertEquals(OcfCode.SUCCESS, d.stop(inst).code());
        assertFalse(Files.exists(state));
        assertEquals(OcfCode.SUCCESS, d.stop(inst).code(), "stop of a stopped resource succeeds");
    }

    @Test
    void dummy_recurringMonitorWhenStopped_reportsExitReason() {
        assumeTrue(Files.isExecutable(DUMMY), "resource-agents is not installed");
        ResourceDriver d = provider.create("ocf:heartbeat:Dummy");
        var inst = instance("d1", "ocf:heartbeat:Dummy", Map.of("state", lab.resolve("d1.state").toString()), Map.of("interval", "10000"), "");
        OperationResult r = d.monitor(inst);
        assertEquals(OcfCode.NOT_RUNNING, r.code());
        assertEquals("No process state file found", r.message());
    }

    @Test
    void dummy_migrateToThenMigrateFrom_movesTheStateBetweenFiles() {
        assumeTrue(Files.isExecutable(DUMMY), "resource-agents is not installed");
        ResourceDriver d = provider.create("ocf:heartbeat:Dummy");
        Path source = lab.resolve("source.state");
        Path target = lab.resolve("target.state");
        var onSource = instance("d1", "ocf:heartbeat:Dummy", Map.of("state", source.toString()), Map.of(), "node2");
        var onTarget = new ResourceInstance("d1", "ocf:heartbeat:Dummy", 0, Map.of("state", target.toString()), Map.of(), "node2",
                Duration.ofSeconds(20), "node1", Map.of(), Map.of());
        assertEquals(OcfCode.SUCCESS, d.start(onSource).code());
        assertEquals(OcfCode.SUCCESS, d.migrateTo(onSource).code());
        assertFalse(Files.exists(source));
        assertEquals(OcfCode.SUCCESS, d.migrateFrom(onTarget).code());
        assertTrue(Files.exists(target));
        assertEquals(OcfCode.SUCCESS, d.monitor(onTarget).code());
    }

    @Test
    void dummy_unknownAction_unimplemented() {
        assumeTrue(Files.isExecutable(DUMMY), "resource-agents is not installed");
        OcfDriver d = (OcfDriver) provider.create("ocf:heartbeat:Dummy");
        var inst = instance("d1", "ocf:heartbeat:Dummy", Map.of("state", lab.resolve("d1.state").toString()), Map.of(), "");
        assertEquals(OcfCode.ERR_UNIMPLEMENTED, d.run("frobnicate", inst).code());
        assertEquals(OcfCode.ERR_UNIMPLEMENTED, d.promote(inst).code());
    }

    @Test
    void dummy_metadata_parsedAndCached() {
        assumeTrue(Files.isExecutable(DUMMY), "resource-agents is not installed");
        List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        ProcessRunner counting = (argv, env, stdin, timeout) -> {
            calls.add(argv.get(1));
            return ProcessRunner.local().run(argv, env, stdin, timeout);
        };
        OcfDriver d = (OcfDriver) new OcfDriverProvider(OcfDriver.DEFAULT_ROOT, counting, lab.resolve("p2")).create("ocf:heartbeat:Dummy");
        var md = d.metadata();
        assertEquals(Duration.ofSeconds(20), md.defaultTimeout("migrate_from").orElseThrow());
        assertTrue(md.parameters().stream().anyMatch(p -> p.name().equals("state")));
        d.metadata();
        d.agentMetadata();
        assertEquals(List.of("meta-data"), calls, "meta-data runs once");
    }

    @Test
    void missingAgent_notInstalledNamingThePath() {
        ResourceDriver d = provider.create("ocf:heartbeat:NoSuchAgent");
        OperationResult r = d.start(instance("x", "ocf:heartbeat:NoSuchAgent", Map.of(), Map.of(), ""));
        assertEquals(OcfCode.ERR_INSTALLED, r.code());
        assertTrue(r.message().contains("/usr/lib/ocf/resource.d/heartbeat/NoSuchAgent"), r.message());
    }

    @Test
    void serviceLoader_findsTheOcfProvider() {
        boolean found = false;
        for (ResourceDriverProvider p : ServiceLoader.load(ResourceDriverProvider.class)) {
            if (p.supports("ocf:heartbeat:Dummy")) found = true;
        }
        assertTrue(found);
    }

    @Test
    void agentOutput_secretParameterMaskedInMessage() throws IOException {
        // a tiny agent of our own that echoes its password to stderr, the way a careless agent might
        Path root = lab.resolve("root");
        Path agent = root.resolve("resource.d/test/Leaky");
        Files.createDirectories(agent.getParent());
        Files.writeString(agent, "#!/bin/sh\necho \"cannot log in with $OCF_RESKEY_password\" >&2\nexit 1\n");
        agent.toFile().setExecutable(true);
        ResourceDriver d = new OcfDriverProvider(root, ProcessRunner.local(), lab.resolve("p3")).create("ocf:test:Leaky");
        OperationResult r = d.stop(instance("l1", "ocf:test:Leaky", Map.of("password", "hunter2"), Map.of(), ""));
        assertEquals(OcfCode.ERR_GENERIC, r.code());
        assertEquals("cannot log in with ******", r.message());
    }

    @Test
    void agentRunningPastTimeout_killedAndTimeout() throws IOException {
        Path root = lab.resolve("root");
        Path agent = root.resolve("resource.d/test/Slow");
        Files.createDirectories(agent.getParent());
        Files.writeString(agent, "#!/bin/sh\nsleep 30\n");
        agent.toFile().setExecutable(true);
        ResourceDriver d = new OcfDriverProvider(root, ProcessRunner.local(), lab.resolve("p4")).create("ocf:test:Slow");
        var inst = new ResourceInstance("s1", "ocf:test:Slow", 0, Map.of(), Map.of(), "node1", Duration.ofMillis(300), "", Map.of(), Map.of());
        OperationResult r = d.stop(inst);
        assertEquals(OcfCode.TIMEOUT, r.code());
        assertTrue(r.message().contains("timed out after 300ms"), r.message());
    }

    @Test
    void stateful_startPromoteMonitorDemoteStop_promotionScoresFromTheShim() {
        assumeTrue(Files.isExecutable(STATEFUL), "pacemaker-resource-agents is not installed");
        ResourceDriver d = provider.create("ocf:pacemaker:Stateful");
        Path state = lab.resolve("st.state");
        Map<String, String> meta = new HashMap<>(Map.of("clone-max", "2", "promotable", "true"));
        var inst = new ResourceInstance("st", "ocf:pacemaker:Stateful", 0, Map.of("state", state.toString()), meta, "node1",
                Duration.ofSeconds(20), "", Map.of(), Map.of());

        assertEquals(OcfCode.NOT_RUNNING, d.monitor(inst).code());
        OperationResult start = d.start(inst);
        assertEquals(OcfCode.SUCCESS, start.code());
        assertEquals(OptionalInt.of(5), start.promotionScore());
        assertEquals(OcfCode.SUCCESS, d.monitor(inst).code());

        OperationResult promote = d.promote(inst);
        assertEquals(OcfCode.SUCCESS, promote.code());
        assertEquals(OptionalInt.of(10), promote.promotionScore());
        OperationResult probe = d.monitor(inst);
        assertEquals(OcfCode.RUNNING_PROMOTED, probe.code());
        assertEquals(OptionalInt.of(10), probe.promotionScore(), "a probe restores the score");

        meta.put("interval", "10000");
        var recurring = new ResourceInstance("st", "ocf:pacemaker:Stateful", 0, Map.of("state", state.toString()), meta, "node1",
                Duration.ofSeconds(20), "", Map.of(), Map.of());
        OperationResult monitor = d.monitor(recurring);
        assertEquals(OcfCode.RUNNING_PROMOTED, monitor.code());
        assertEquals(OptionalInt.empty(), monitor.promotionScore(), "a recurring monitor leaves the score alone");

        OperationResult demote = d.demote(inst);
        assertEquals(OcfCode.SUCCESS, demote.code());
        assertEquals(OptionalInt.of(5), demote.promotionScore());
        assertEquals(OcfCode.SUCCESS, d.monitor(recurring).code());
        OperationResult stop = d.stop(inst);
        assertEquals(OcfCode.SUCCESS, stop.code());
        assertEquals(OptionalInt.empty(), stop.promotionScore(), "stop deletes the score");
        assertFalse(Files.exists(state));
    }

    @Test
    void shim_crmMasterAndQuery_behaveLikePacemakersTools() throws IOException {
        // agents written for older Pacemaker call crm_master from PATH, and some query the score back
        Path root = lab.resolve("root");
        Path agent = root.resolve("resource.d/test/Old");
        Files.createDirectories(agent.getParent());
        Files.writeString(agent, "#!/bin/sh\ncase $1 in\n"
                + "start) crm_master -l reboot -v 42 || exit 1; v=$(crm_attribute --promotion -G -q) || exit 1; [ \"$v\" = 42 ] || exit 1 ;;\n"
                + "stop) crm_master -l reboot -D; crm_attribute -p -G -q && exit 1; exit 0 ;;\n"
                + "monitor) crm_attribute -n some-node-attribute -v x && exit 1; exit 7 ;;\n"
                + "esac\nexit 0\n");
        agent.toFile().setExecutable(true);
        ResourceDriver d = new OcfDriverProvider(root, ProcessRunner.local(), lab.resolve("p5")).create("ocf:test:Old");
        var inst = instance("o1", "ocf:test:Old", Map.of(), Map.of(), "");
        OperationResult start = d.start(inst);
        assertEquals(OcfCode.SUCCESS, start.code(), start.message());
        assertEquals(OptionalInt.of(42), start.promotionScore());
        assertEquals(OcfCode.SUCCESS, d.stop(inst).code());
        assertEquals(OcfCode.NOT_RUNNING, d.monitor(inst).code(), "other node attributes are refused, not faked");
    }

    @Test
    void start_requiredParameterMissing_notConfiguredNamingIt_agentNotRun() throws IOException {
        Path root = lab.resolve("root");
        Path agent = root.resolve("resource.d/test/NeedsIp");
        Path ran = lab.resolve("ran");
        Files.createDirectories(agent.getParent());
        Files.writeString(agent, "#!/bin/sh\ncase $1 in\nmeta-data) cat <<'END'\n"
                + "<?xml version=\"1.0\"?>\n<resource-agent name=\"NeedsIp\"><parameters>"
                + "<parameter name=\"ip\" required=\"1\"><content type=\"string\"/></parameter></parameters>"
                + "<actions><action name=\"start\" timeout=\"15s\"/></actions></resource-agent>\nEND\nexit 0;;\n"
                + "*) touch " + ran + "; exit 0;;\nesac\n");
        agent.toFile().setExecutable(true);
        ResourceDriver d = new OcfDriverProvider(root, ProcessRunner.local(), lab.resolve("p6")).create("ocf:test:NeedsIp");
        OperationResult r = d.start(instance("ip1", "ocf:test:NeedsIp", Map.of(), Map.of(), ""));
        assertEquals(OcfCode.ERR_CONFIGURED, r.code());
        assertEquals("ip1: ocf:test:NeedsIp requires parameter ip; set it in the resource's params", r.message());
        assertFalse(Files.exists(ran));
        assertEquals(OcfCode.SUCCESS, d.start(instance("ip1", "ocf:test:NeedsIp", Map.of("ip", "10.0.0.9"), Map.of(), "")).code());
        assertTrue(Files.exists(ran));
        assertEquals(Duration.ofSeconds(15), d.metadata().defaultTimeout("start").orElseThrow());
    }

    @Test
    void brokenMetadata_askedOnceUntilTheAgentChanges_actionsStillRun() throws IOException {
        Path root = lab.resolve("root");
        Path agent = root.resolve("resource.d/test/Mute");
        Files.createDirectories(agent.getParent());
        Files.writeString(agent, "#!/bin/sh\n[ \"$1\" = meta-data ] && { echo broken >&2; exit 1; }\nexit 0\n");
        agent.toFile().setExecutable(true);
        List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        ProcessRunner counting = (argv, env, stdin, timeout) -> {
            calls.add(argv.get(1));
            return ProcessRunner.local().run(argv, env, stdin, timeout);
        };
        OcfDriver d = (OcfDriver) new OcfDriverProvider(root, counting, lab.resolve("p7")).create("ocf:test:Mute");
        var inst = instance("m1", "ocf:test:Mute", Map.of(), Map.of(), "");
        assertEquals(OcfCode.SUCCESS, d.start(inst).code());
        assertEquals(OcfCode.SUCCESS, d.start(inst).code());
        assertEquals(List.of("meta-data", "start", "start"), calls);
        var e = org.junit.jupiter.api.Assertions.assertThrows(vigil.api.VigilException.class, d::metadata);
        assertTrue(e.getMessage().contains("ocf:test:Mute: meta-data failed (exit 1): broken"), e.getMessage());
    }

    @Test
    void crmNode_answersWithTheExecutorsNode() throws IOException {
        // agents ask Pacemaker's crm_node -n for the local node name; the real tool needs a running Pacemaker cluster
        Path root = lab.resolve("root");
        Path agent = root.resolve("resource.d/test/Who");
        Path out = lab.resolve("who");
        Files.createDirectories(agent.getParent());
        Files.writeString(agent, "#!/bin/sh\n\"$HA_SBIN_DIR/crm_node\" -n > " + out + " || exit 1\ncrm_node --name >> " + out + " || exit 1\n"
                + "crm_node -l && exit 1\ncrm_attribute -p -v7 || exit 1\nexit 0\n");
        agent.toFile().setExecutable(true);
        ResourceDriver d = new OcfDriverProvider(root, ProcessRunner.local(), lab.resolve("p8")).create("ocf:test:Who");
        OperationResult r = d.start(instance("w1", "ocf:test:Who", Map.of(), Map.of(), ""));
        assertEquals(OcfCode.SUCCESS, r.code(), r.message());
        assertEquals("node1\nnode1", Files.readString(out).trim());
        assertEquals(OptionalInt.of(7), r.promotionScore());
    }
}
