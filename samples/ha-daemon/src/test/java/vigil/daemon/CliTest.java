package vigil.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Constraint;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.engine.state.Command;
import vigil.raft.admin.AdminClient;
import vigil.raft.admin.AdminServer;

/** The CLI through the real admin client and server, over the state machine in one process. */
class CliTest {
    @TempDir Path dir;
    StateMachineCluster cluster;
    AdminServer server;
    Path tokenFile;

    record Result(int code, String out, String err) {}

    @BeforeEach
    void start() throws Exception {
        ClusterConfig cfg = ClusterConfig.builder().node(Node.member("n1", "127.0.0.1:9001")).node(Node.member("n2", "127.0.0.2:9001"))
                .node(Node.witness("w", "127.0.0.3:9001"))
                .resource(Primitive.builder("d1", "ocf:heartbeat:Dummy").build()).build();
        cluster = new StateMachineCluster(ClusterState.EMPTY);
        cluster.applyConfig(cfg);
        cluster.commit(new Command.SetMembership("n1", Membership.ONLINE, "joined"), new Command.SetMembership("n2", Membership.ONLINE, "joined"),
                new Command.SetMembership("w", Membership.ONLINE, "joined"), new Command.LeaderElected("n1", 2));
        // the admin API over TLS with a node certificate of this test's cluster CA, as a node serves it
        vigil.raft.tls.ClusterCa ca = vigil.raft.tls.ClusterCa.create("cli", java.util.UUID.randomUUID());
        ca.save(dir.resolve("ca"));
        server = AdminServer.start(cluster, "127.0.0.1", 0, "s3cret-token", ca.issueNode("n1", List.of("127.0.0.1")));
        tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "s3cret-token\n");
    }

    @AfterEach
    void stop() { server.close(); }

    Result vigil(String... args) {
        List<String> argv = new ArrayList<>(List.of(args));
        if (!List.of("init", "join").contains(args[0])) {
            argv.addAll(List.of("--cluster", "127.0.0.1:" + server.port(), "--token-file", tokenFile.toString(), "--ca", dir.resolve("ca").resolve("ca.crt").toString()));
        }
        return raw(argv.toArray(new String[0]));
    }

    Result raw(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(),
                (targets, token) -> AdminClient.connect(targets, token, Duration.ofSeconds(30)), null);   // the deadline vigil itself uses
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs a command that must fail with {@code code}, say {@code message} on stderr, and change nothing. */
    void rejected(int code, String message, String... args) {
        ClusterState before = cluster.status();
        Result r = vigil(args);
        assertEquals(code, r.code, r.toString());
        assertTrue(r.err.contains(message), r.err);
        assertTrue(r.err.startsWith("vigil: "), r.err);
        assertEquals(before, cluster.status(), "the command changed the cluster");
    }

    @Test
    void status_showsLeaderNodesAndResources() {
        cluster.commit(new Command.RecordOperation("d1", "n2", "start", null, vigil.api.status.OcfCode.SUCCESS, Duration.ofMillis(30), "", "",
                java.util.OptionalInt.empty()));
        Result r = vigil("status");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("Leader (controller): n1 (term 2)"), r.out);
        assertTrue(r.out.contains("* Node w: online [witness]"), r.out);
        assertTrue(r.out.matches("(?s).*\\* d1\\s+\\(ocf:heartbeat:Dummy\\):\\s+Started n2.*"), r.out);
        Result json = vigil("status", "--json");
        assertEquals(0, json.code);
        assertTrue(json.out.startsWith("{\"now\":"), json.out);
        assertTrue(json.out.contains("\"instances\":[{\"node\":\"n2\",\"node-state\":\"online\",\"role\":\"Started\""), json.out);
    }

    @Test
    void resourceCreateUpdateDelete_changeTheConfig() {
        Result r = vigil("resource", "create", "d2", "ocf:heartbeat:Dummy", "state=/tmp/d2", "--meta", "resource-stickiness=100", "--op", "monitor:10s:20s");
        assertEquals(0, r.code, r.err);
        Primitive p = (Primitive) cluster.status().config().resource("d2").orElseThrow();
        assertEquals("/tmp/d2", p.params().get("state"));
        assertEquals(Duration.ofSeconds(10), p.monitor(null).orElseThrow().interval());
        assertEquals(0, vigil("resource", "update", "d2", "state=", "fake=1").code);
        p = (Primitive) cluster.status().config().resource("d2").orElseThrow();
        assertEquals(Map.of("fake", "1"), p.params());
        assertEquals(0, vigil("constraint", "add", "order", "o1", "d1", "d2").code);
        assertEquals(0, vigil("resource", "delete", "d2").code);
        assertTrue(cluster.status().config().resource("d2").isEmpty());
        assertTrue(cluster.status().config().constraints().isEmpty(), "constraints naming d2 are deleted with it");
    }

    @Test
    void resourceCreate_existing_isRejected() {
        rejected(1, "resource \"d1\" already exists", "resource", "create", "d1", "ocf:heartbeat:Dummy");
    }

    @Test
    void moveAndClear_expiringPreference() {
        Result r = vigil("resource", "move", "d1", "n2", "--lifetime", "30min");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("for 30min"), r.out);
        Constraint.Location l = (Constraint.Location) cluster.status().config().constraints().get(0);
        assertEquals("n2", l.node());
        assertEquals(cluster.status().now().plus(Duration.ofMinutes(30)), l.expires());
        assertEquals(0, vigil("resource", "clear", "d1").code);
        assertTrue(cluster.status().config().constraints().isEmpty());
    }

    @Test
    void move_withoutLifetime_usesTheMoveLifetimeProperty() {
        assertEquals(0, vigil("resource", "move", "d1", "n1").code);
        Constraint.Location l = (Constraint.Location) cluster.status().config().constraints().get(0);
        assertEquals(cluster.status().now().plus(Duration.ofHours(1)), l.expires());
    }

    @Test
    void move_unknownResource_isRejected() {
        rejected(1, "unknown resource \"nope\" (use one of [d1])", "resource", "move", "nope", "n2");
    }

    @Test
    void move_toWitness_isRejected() {
        rejected(1, "\"w\" is a witness and runs no resources", "resource", "move", "d1", "w");
    }

    @Test
    void constraintAdd_invalidScore_isRejected() {
        rejected(1, "invalid score \"lots\"", "constraint", "add", "location", "l1", "d1", "n1", "lots");
    }

    @Test
    void constraintAdd_cycle_isRejected() {
        assertEquals(0, vigil("resource", "create", "d2", "ocf:heartbeat:Dummy").code);
        assertEquals(0, vigil("constraint", "add", "order", "o1", "d1", "d2").code);
        rejected(1, "mandatory orders form a cycle: d1 -> d2 -> d1", "constraint", "add", "order", "o2", "d2", "d1");
    }

    @Test
    void constraintAddListRemove() {
        Result add = vigil("constraint", "add", "location", "l1", "d1", "n1", "-INFINITY");
        assertEquals(0, add.code, add.err);
        Result list = vigil("constraint", "list");
        assertTrue(list.out.contains("location l1: d1 on n1 score -INFINITY"), list.out);
        assertEquals(0, vigil("constraint", "remove", "l1").code);
        rejected(1, "unknown constraint \"l1\"", "constraint", "remove", "l1");
    }

    @Test
    void nodeCommands_setFlags() {
        assertEquals(0, vigil("node", "standby", "n2").code);
        assertTrue(cluster.status().node("n2").standby());
        assertEquals(0, vigil("node", "maintenance", "n1").code);
        assertTrue(cluster.status().node("n1").maintenance());
        assertEquals(0, vigil("node", "online", "n1").code);
        assertFalse(cluster.status().node("n1").maintenance());
        rejected(1, "unknown node \"n9\"", "node", "standby", "n9");
        rejected(2, "expected on or off, got \"maybe\"", "node", "maintenance", "n1", "maybe");
    }

    @Test
    void enableDisableCleanupFence() {
        assertEquals(0, vigil("resource", "disable", "d1").code);
        assertEquals(Role.STOPPED, cluster.status().config().resource("d1").orElseThrow().meta().targetRole().orElseThrow());
        assertEquals(0, vigil("resource", "enable", "d1").code);
        assertTrue(cluster.status().config().resource("d1").orElseThrow().meta().targetRole().isEmpty());
        assertEquals(0, vigil("resource", "cleanup", "d1", "--node", "n1").code);
        assertEquals(0, vigil("fence", "n2").code);
        assertEquals(List.of("n2"), cluster.fenceRequests);
    }

    @Test
    void configShowThenApply_roundTripsAndShowsDiff() throws Exception {
        Result show = vigil("config", "show");
        assertEquals(0, show.code);
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, show.out.replace("resources:\n", "resources:\n  d9:\n    type: ocf:heartbeat:Dummy\n"));
        rejected(2, "not applied; confirm with --yes", "config", "apply", "-f", file.toString());
        Result dry = vigil("config", "apply", "-f", file.toString(), "--dry-run");
        assertTrue(dry.out.contains("+   d9:"), dry.out);
        Result apply = vigil("config", "apply", "-f", file.toString(), "--yes");
        assertEquals(0, apply.code, apply.err);
        assertTrue(apply.out.contains("+     type: ocf:heartbeat:Dummy"), apply.out);
        assertTrue(cluster.status().config().resource("d9").isPresent());
        assertTrue(vigil("config", "apply", "-f", file.toString(), "--yes").out.contains("no changes"));
    }

    @Test
    void configApply_ofAFileWithOnlyResources_changesOnlyThoseResources() throws Exception {
        cluster.applyConfig(cluster.status().config().toBuilder()
                .fenceDevice(new vigil.api.model.FenceDevice("ipmi-n1", "ipmi", Map.of("ip", "10.0.1.1"), List.of("n1"), Map.of(), Duration.ZERO))
                .resource(Primitive.builder("d2", "ocf:heartbeat:Dummy").build()).build());
        ClusterState before = cluster.status();
        Path file = dir.resolve("partial.yaml");
        Files.writeString(file, "resources:\n  d1:\n    type: ocf:heartbeat:Dummy\n    meta: {resource-stickiness: 100}\n  d3:\n    type: ocf:heartbeat:Dummy\n");
        Result r = vigil("config", "apply", "-f", file.toString(), "--yes");
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.contains("updating resources"), r.out);
        ClusterConfig after = cluster.status().config();
        assertEquals(before.config().nodes(), after.nodes(), "nodes changed");
        assertEquals(before.config().fenceDevices(), after.fenceDevices(), "fence devices changed");
        assertEquals(before.config().properties(), after.properties());
        assertEquals(List.of("d1", "d2", "d3"), after.resources().stream().map(vigil.api.model.Resource::id).toList());
        assertEquals("100", after.resource("d1").orElseThrow().meta().values().get("resource-stickiness"));

        // a property alone changes only that property
        Files.writeString(file, "properties:\n  move-lifetime: 30min\n");
        assertEquals(0, vigil("config", "apply", "-f", file.toString(), "--yes").code);
        assertEquals(Duration.ofMinutes(30), cluster.status().config().properties().moveLifetime());
        assertEquals(before.config().properties().nodeTimeout(), cluster.status().config().properties().nodeTimeout());
        assertEquals(after.resources(), cluster.status().config().resources());
    }

    @Test
    void configApply_replace_refusesToRemoveOnlineNodesOrAMajority_andSaysWhy() throws Exception {
        Path file = dir.resolve("only-resources.yaml");
        Files.writeString(file, "resources:\n  d1:\n    type: ocf:heartbeat:Dummy\n");
        rejected(1, "it removes node n1, which is online", "config", "apply", "-f", file.toString(), "--replace", "--yes");
        Result r = vigil("config", "apply", "-f", file.toString(), "--replace", "--yes");
        assertTrue(r.err.contains("it removes 3 of the 3 voters"), r.err);
        cluster.commit(new Command.SetMembership("w", Membership.OFFLINE, "shut down"));
        Path withoutW = dir.resolve("without-w.yaml");
        Files.writeString(withoutW, vigil("config", "show").out.replaceAll("(?s)  w:\n    address: [^\n]*\n    role: witness\n", ""));
        assertTrue(!Files.readString(withoutW).contains("  w:"), Files.readString(withoutW));
        Result ok = vigil("config", "apply", "-f", withoutW.toString(), "--replace", "--yes");
        assertEquals(0, ok.code, ok.toString());
        assertTrue(cluster.status().config().node("w").isEmpty());
    }

    @Test
    void configApply_isConditionalOnTheVersionItsDiffWasComputedFrom() throws Exception {
        Path file = dir.resolve("d5.yaml");
        Files.writeString(file, "resources:\n  d5:\n    type: ocf:heartbeat:Dummy\n");
        // another administrator changes the configuration while this one reads the diff
        java.io.BufferedReader operator = new java.io.BufferedReader(new java.io.StringReader("y\n")) {
            @Override
            public String readLine() throws java.io.IOException {
                cluster.updateConfig(c -> c.toBuilder().resource(Primitive.builder("other", "ocf:heartbeat:Dummy").build()).build());
                return super.readLine();
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"config", "apply", "-f", file.toString(), "--cluster", "127.0.0.1:" + server.port(), "--token-file", tokenFile.toString(),
                        "--ca", dir.resolve("ca").resolve("ca.crt").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(),
                (targets, token) -> AdminClient.connect(targets, token, Duration.ofSeconds(5)), operator);
        assertEquals(1, code, out + "\n" + err);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("the configuration changed after the diff above was computed"), err.toString(StandardCharsets.UTF_8));
        assertTrue(cluster.status().config().resource("d5").isEmpty(), "applied over the other administrator's change");
        assertTrue(cluster.status().config().resource("other").isPresent());
    }

    @Test
    void resourceCleanup_clearsTheFailedActionFromStatus_andAsksForAProbe() {
        cluster.commit(new Command.RecordOperation("d1", "n1", "start", null, vigil.api.status.OcfCode.ERR_GENERIC, Duration.ofMillis(30), "it broke", "",
                java.util.OptionalInt.empty()), new Command.RecordOperation("d1", "n1", "stop", null, vigil.api.status.OcfCode.SUCCESS,
                Duration.ofMillis(30), "", "", java.util.OptionalInt.empty()));
        assertTrue(vigil("status").out.contains("Failed Resource Actions:"));
        Result r = vigil("resource", "cleanup", "d1");
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.startsWith("cleaned up d1 on all nodes"), r.out);
        String after = vigil("status").out;
        assertFalse(after.contains("Failed Resource Actions:") || after.contains("it broke"), after);
        assertTrue(cluster.status().resource("d1", "n1").pending(), "a probe is asked for");
    }

    @Test
    void statusSimple_exitsLikeCrmMonS() {
        Result ok = vigil("status", "--simple");
        assertEquals(1, ok.code, ok.toString()); // stonith is on and nothing can fence n1 and n2
        assertTrue(ok.out.startsWith("CLUSTER WARN: "), ok.out);
        cluster.applyConfig(cluster.status().config().toBuilder().properties(vigil.api.model.ClusterProperties.builder().stonithEnabled(false).build()).build());
        Result clean = vigil("status", "--simple");
        assertEquals(0, clean.code, clean.toString());
        assertEquals("CLUSTER OK: 3 nodes online, 1 resource instances configured\n", clean.out);
        cluster.commit(new Command.SetMembership("n2", Membership.UNCLEAN, "no reply for 3000 ms"));
        Result crit = vigil("status", "--simple");
        assertEquals(2, crit.code, crit.toString());
        assertTrue(crit.out.startsWith("CLUSTER CRIT: UNCLEAN node: n2"), crit.out);
        Result down = raw("status", "--simple", "--cluster", "127.0.0.1:1", "--token-file", tokenFile.toString());
        assertEquals(3, down.code, down.toString());
        assertTrue(down.out.startsWith("CLUSTER UNKNOWN: "), down.out);
    }

    @Test
    void status_warnsWhenStonithIsOnAndNothingCanFence_withTheFix() {
        String out = vigil("status").out;
        assertTrue(out.contains("WARNINGS:\n  * stonith-enabled is true but no fence device can fence n1, n2"), out);
        assertTrue(out.contains("add a fence device"), out);
    }

    @Test
    void statusJson_nowIsTheCurrentTime() {
        java.time.Instant before = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        String json = vigil("status", "--json").out;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"now\":\"([^\"]+)\"").matcher(json);
        assertTrue(m.find(), json);
        assertFalse(java.time.Instant.parse(m.group(1)).isBefore(before), json);
        assertTrue(json.contains("\"last-change\":\"2026-01-01T"), json);
    }

    @Test
    void resourceCreate_refusesAnUnknownAgentOrParameterOrAMissingRequiredOne_likePcs_unlessForced() {
        rejected(1, "\"ocf:heartbeat:NoSuchAgent\" cannot run", "resource", "create", "x", "ocf:heartbeat:NoSuchAgent");
        rejected(1, "agent not found at /usr/lib/ocf/resource.d/heartbeat/NoSuchAgent", "resource", "create", "x", "ocf:heartbeat:NoSuchAgent");
        rejected(1, "resources.d2.params.bogus: ocf:heartbeat:Dummy has no parameter \"bogus\"", "resource", "create", "d2", "ocf:heartbeat:Dummy", "bogus=1");
        rejected(1, "ocf:heartbeat:IPaddr2 requires ip", "resource", "create", "vip", "ocf:heartbeat:IPaddr2");
        rejected(1, "--force", "resource", "create", "d2", "ocf:heartbeat:Dummy", "bogus=1");
        rejected(1, "no driver for \"lsb:nope\"", "resource", "create", "x", "lsb:nope");
        assertEquals(0, vigil("resource", "create", "d2", "ocf:heartbeat:Dummy", "state=/run/d2.state").code);
        rejected(1, "has no parameter \"bogus\"", "resource", "update", "d2", "bogus=1");
        Result forced = vigil("resource", "create", "x", "ocf:heartbeat:NoSuchAgent", "bogus=1", "--force");
        assertEquals(0, forced.code, forced.toString());
        assertEquals(0, vigil("resource", "update", "d2", "bogus=2", "--force").code);
    }

    @Test
    void configApply_malformedYaml_isRejectedWithLine() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "nodes:\n  n1: {address: 127.0.0.1:9001\n");
        rejected(1, "bad.yaml:", "config", "apply", "-f", file.toString(), "--yes");
        Files.writeString(file, "nodes:\n  n1:\n    adress: 127.0.0.1:9001\n");
        rejected(1, "bad.yaml:3: nodes.n1.adress: unknown field \"adress\" (did you mean \"address\"?", "config", "apply", "-f", file.toString(), "--yes");
    }

    @Test
    void certsIssueAndClient_thenAClientCertificateConnects_andSecretsShowOnlyToAdmins() throws Exception {
        cluster.updateConfig(c -> c.toBuilder().fenceDevice(new vigil.api.model.FenceDevice("ipmi-n1", "ipmi",
                Map.of("ip", "127.0.0.1", "password", "fence-pw-42"), List.of("n1"), Map.of(), null)).build());
        Path ca = dir.resolve("ca");
        Result issued = raw("certs", "issue", "n7", "--host", "127.0.0.7", "--ca-dir", ca.toString(), "--out", dir.resolve("n7").toString());
        assertEquals(0, issued.code, issued.err);
        assertTrue(issued.out.startsWith("node n7: certificate and key in " + dir.resolve("n7") + ", valid until "), issued.out);
        assertEquals(vigil.raft.tls.PeerIdentity.node("n7"), vigil.raft.tls.NodeTls.load(dir.resolve("n7")).identity());
        Result admin = raw("certs", "client", "ops", "--ca-dir", ca.toString(), "--out", dir.resolve("ops").toString());
        assertEquals(0, admin.code, admin.err);
        Result reader = raw("certs", "client", "monitor", "--read-only", "--ca-dir", ca.toString(), "--out", dir.resolve("monitor").toString());
        assertEquals(0, reader.code, reader.err);
        Result newCa = raw("certs", "client", "x", "--ca-dir", dir.resolve("new-ca").toString(), "--out", dir.resolve("x").toString());
        assertTrue(newCa.out.startsWith("made a new cluster CA in " + dir.resolve("new-ca") + " (keep ca.key private)"), newCa.out);
        Result noOut = raw("certs", "issue", "n8", "--ca-dir", ca.toString());
        assertEquals(2, noOut.code);
        assertTrue(noOut.err.startsWith("vigil: certs issue: missing --out DIR (where the certificate and key go)"), noOut.err);

        String target = "127.0.0.1:" + server.port();
        Result masked = raw("config", "show", "--cluster", target, "--cert", dir.resolve("ops").toString());
        assertEquals(0, masked.code, masked.err);
        assertTrue(masked.out.contains("password: '******'") || masked.out.contains("password: \"******\"") || masked.out.contains("password: ******"), masked.out);
        assertFalse(masked.out.contains("fence-pw-42"), masked.out);
        Result shown = raw("config", "show", "--show-secrets", "--cluster", target, "--cert", dir.resolve("ops").toString());
        assertEquals(0, shown.code, shown.err);
        assertTrue(shown.out.contains("fence-pw-42"), "the admin role sees secrets with --show-secrets: " + shown.out);
        Result refused = raw("config", "show", "--show-secrets", "--cluster", target, "--cert", dir.resolve("monitor").toString());
        assertEquals(1, refused.code, refused.out);
        assertTrue(refused.err.contains("admin role"), refused.err);
        assertFalse(refused.out.contains("fence-pw-42") || refused.err.contains("fence-pw-42"));
        Result readOnlyChange = raw("resource", "disable", "d1", "--cluster", target, "--cert", dir.resolve("monitor").toString());
        assertEquals(1, readOnlyChange.code, readOnlyChange.out);
        assertTrue(cluster.status().config().resource("d1").orElseThrow().meta().targetRole().isEmpty(), "a read-only client changes nothing");
    }

    @Test
    void withoutCa_theTokenIsNotSent() {
        Result r = raw("status", "--cluster", "127.0.0.1:" + server.port(), "--token-file", tokenFile.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("status: no CA certificate to check the cluster with: pass --ca FILE"), r.err);
    }

    @Test
    void unreachableCluster_saysSo() {
        Result r = raw("status", "--cluster", "127.0.0.1:1", "--token-file", tokenFile.toString(), "--ca", dir.resolve("ca").resolve("ca.crt").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("cannot reach the cluster"), r.err);
    }

    @Test
    void wrongToken_isRefused() throws Exception {
        Path bad = dir.resolve("bad-token");
        Files.writeString(bad, "guessed-token-1");
        Result r = raw("resource", "disable", "d1", "--cluster", "127.0.0.1:" + server.port(), "--token-file", bad.toString(), "--ca",
                dir.resolve("ca").resolve("ca.crt").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("invalid cluster token"), r.err);
        assertFalse(r.err.contains("s3cret") || r.err.contains("guessed"), "token leaked: " + r.err);
    }

    @Test
    void tokenFileThatHoldsNoToken_isRefusedBeforeAnythingIsSent_andNotQuoted() throws Exception {
        Result passwd = raw("status", "--cluster", "127.0.0.1:" + server.port(), "--token-file", "/etc/passwd");
        assertEquals(1, passwd.code);
        assertTrue(passwd.err.contains("token file /etc/passwd") && passwd.err.contains("does not hold a cluster token"), passwd.err);
        assertFalse(passwd.err.contains("root:") || passwd.out.contains("root:"), "file content leaked: " + passwd.err);
        Result directory = raw("status", "--cluster", "127.0.0.1:" + server.port(), "--token-file", dir.toString());
        assertEquals(1, directory.code);
        assertTrue(directory.err.contains("is not a regular file"), directory.err);
        Path spaced = dir.resolve("spaced-token");
        Files.writeString(spaced, "two words here\n");
        Result odd = raw("status", "--cluster", "127.0.0.1:" + server.port(), "--token-file", spaced.toString());
        assertTrue(odd.err.contains("characters a token does not have") && !odd.err.contains("words"), odd.err);
    }

    @Test
    void usageErrors_exit2WithMessage() {
        assertEquals(2, raw().code);
        Result r = raw("frobnicate");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("unknown command \"frobnicate\""), r.err);
        rejected(2, "unknown option --lifetme (known: --ca, --cert, --cluster, --insecure, --lifetime, --node-config, --token-file)", "resource", "move", "d1", "n2", "--lifetme", "1h");
        rejected(2, "resource: missing subcommand", "resource");
        rejected(2, "missing node id", "resource", "move", "d1");
        Result noCluster = raw("status");
        assertEquals(2, noCluster.code);
        assertTrue(noCluster.err.contains("no cluster given"), noCluster.err);
    }

    @Test
    void delegatedCommand_missingClass_saysNotAvailable() {
        Result r = raw("bench", "frob");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("unknown command \"bench frob\""), r.err);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = vigil.daemon.cli.DelegatedCommand.delegate("simulate", "vigil.nowhere.Simulate", List.of(), System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, code);
        assertEquals("vigil: 'simulate' is not available in this build (vigil.nowhere.Simulate is missing from the classpath)\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void delegatedCommand_present_getsArgsAndReturnsItsCode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = vigil.daemon.cli.DelegatedCommand.delegate("echo", EchoCommand.class.getName(), List.of("a", "b"), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(3, code);
        assertEquals("a b\n", out.toString(StandardCharsets.UTF_8));
    }

    /** A command with the delegate signature. */
    public static final class EchoCommand {
        public static int run(String[] args, PrintStream out, PrintStream err) {
            out.println(String.join(" ", args));
            return 3;
        }
    }

    @Test
    void initThenJoin_writeNodeConfigs() throws Exception {
        Path a = dir.resolve("a");
        Result init = raw("init", "--node", "n1", "--raft", "127.0.0.1:9001", "--admin", "127.0.0.1:9101", "--dir", a.toString());
        assertEquals(0, init.code, init.err);
        var nc = vigil.daemon.config.NodeConfig.read(a.resolve("node.yaml"));
        assertEquals("n1", nc.node());
        assertEquals(64, Files.readString(a.resolve("token")).trim().length());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(a.resolve("token"))));
        // a random cluster id, the cluster CA (its key private) and n1's certificate for its addresses
        assertTrue(nc.cluster().id() != null, "a random cluster id");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(a.resolve("pki").resolve("ca.key"))));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(a.resolve("pki").resolve("node.key"))));
        vigil.raft.tls.NodeTls tls = vigil.raft.tls.NodeTls.load(a.resolve("pki"));
        assertEquals(vigil.raft.tls.PeerIdentity.node("n1"), tls.identity());
        Result again = raw("init", "--node", "n1", "--raft", "127.0.0.1:9001", "--admin", "127.0.0.1:9101", "--dir", a.toString(), "--force");
        assertEquals(0, again.code, again.err);
        assertTrue(!nc.cluster().id().equals(vigil.daemon.config.NodeConfig.read(a.resolve("node.yaml")).cluster().id()), "every init makes a new cluster id");
        // join needs a join token (RogueClientIT joins through real daemons)
        Path b = dir.resolve("b");
        Result join = raw("join", "--node", "n3", "--raft", "127.0.0.4:9001", "--admin", "127.0.0.4:9101", "--dir", b.toString(),
                "--cluster", "127.0.0.1:" + server.port());
        assertEquals(2, join.code, join.err);
        assertTrue(join.err.contains("--token"), join.err);
        Result bad = raw("join", "--node", "n3", "--raft", "127.0.0.4:9001", "--admin", "127.0.0.4:9101", "--dir", b.toString(),
                "--cluster", "127.0.0.1:" + server.port(), "--token", "not-a-token");
        assertEquals(1, bad.code, bad.err);
        assertTrue(bad.err.contains("malformed"), bad.err);
        assertTrue(!Files.exists(b.resolve("node.yaml")), "a failed join writes nothing");
    }

    @Test
    void init_withARelativeDir_writesPathsTheDaemonFinds() throws Exception {
        // node.yaml resolves its paths against its own directory: "--dir etc-x" once wrote "token-file: etc-x/token",
        // which the daemon then looked for in etc-x/etc-x/token
        Path relative = Path.of("target", "init-relative-" + java.util.UUID.randomUUID());
        Path home = relative.toAbsolutePath();
        Result init = raw("init", "--node", "n1", "--raft", "127.0.0.1:9001", "--admin", "127.0.0.1:9101", "--dir", relative.toString());
        assertEquals(0, init.code, init.err);
        var nc = vigil.daemon.config.NodeConfig.read(home.resolve("node.yaml"));
        assertEquals(home.resolve("token"), nc.tokenFile());
        assertEquals(home.resolve("pki"), nc.pkiDir());
        assertEquals(home.resolve("data"), nc.dataDir());
        assertEquals(home.resolve("cluster.yaml"), nc.clusterFile());
        assertTrue(Files.isReadable(nc.tokenFile()) && Files.isReadable(nc.clusterFile()), "the files node.yaml names exist");
    }

    @Test
    void daemon_withSeveralConfigs_servesOnlyWitnessesOfDifferentClusters() throws Exception {
        Path m = dir.resolve("m");
        Path w = dir.resolve("w");
        assertEquals(0, raw("init", "--node", "m", "--raft", "127.0.0.1:9001", "--admin", "127.0.0.1:9101", "--dir", m.toString()).code);
        assertEquals(0, raw("init", "--node", "w", "--witness", "--raft", "127.0.0.1:9002", "--admin", "127.0.0.1:9102", "--dir", w.toString()).code);
        Result member = raw("daemon", "--config", w.resolve("node.yaml").toString(), "--config", m.resolve("node.yaml").toString());
        assertEquals(2, member.code, member.err);
        assertTrue(member.err.contains("--config: " + m.resolve("node.yaml") + " is the config of member m; only a witness may serve several clusters"), member.err);
        Result twice = raw("daemon", "--config", w.resolve("node.yaml").toString(), "--config", w.resolve("node.yaml").toString());
        assertEquals(2, twice.code, twice.err);
        assertTrue(twice.err.contains("is a second config for cluster vigil"), twice.err);
        Path w2 = dir.resolve("w2");
        assertEquals(0, raw("init", "--node", "w", "--witness", "--raft", "127.0.0.1:9003", "--admin", "127.0.0.1:9102", "--dir", w2.toString()).code);
        Result samePort = raw("daemon", "--config", w.resolve("node.yaml").toString(), "--config", w2.resolve("node.yaml").toString());
        assertEquals(2, samePort.code, samePort.err);
        assertTrue(samePort.err.contains("uses 127.0.0.1:9102, which another config given uses too"), samePort.err);
    }

    @Test
    void joinInsecure_toAClusterThatHasNotListedItsMembersYet_waitsForThem() throws Exception {
        StateMachineCluster starting = new StateMachineCluster(ClusterState.EMPTY); // init's daemon runs, its bootstrap not committed yet
        AdminServer plain = AdminServer.start(starting, "127.0.0.1", 0, "s3cret-token");
        Thread bootstrap = new Thread(() -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                return;
            }
            starting.applyConfig(ClusterConfig.builder().properties(vigil.api.model.ClusterProperties.DEFAULTS.toBuilder().nodeTimeout(Duration.ofSeconds(5)).build())
                    .node(new Node("n1", "127.0.0.1:9001", vigil.api.model.NodeRole.MEMBER, Map.of("admin-address", "127.0.0.1:9101"))).build());
        });
        try {
            bootstrap.start();
            Path b = dir.resolve("joined");
            Result join = raw("join", "--insecure", "--node", "n2", "--raft", "127.0.0.2:9001", "--admin", "127.0.0.2:9101", "--dir", b.toString(),
                    "--cluster", "127.0.0.1:" + plain.port(), "--token-file", tokenFile.toString());
            assertEquals(0, join.code, join.err);
            var peers = vigil.daemon.config.NodeConfig.read(b.resolve("node.yaml")).peers();
            assertTrue(peers.containsKey("n1"), "the new host knows the member that will admit it: " + peers);
            // its Raft timeouts derive from the cluster's node-timeout from its first start, not from the default
            assertEquals(java.util.Optional.of(Duration.ofSeconds(5)), vigil.raft.LearnedNodeTimeout.read(b.resolve("data")));
        } finally {
            bootstrap.join();
            plain.close();
        }
    }
}
