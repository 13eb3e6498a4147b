package vigil.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.OcfCode;
import vigil.engine.state.Command;
import vigil.engine.state.StateTransitions;

class StatusViewTest {
    static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    static ClusterState apply(ClusterState s, Command... cs) {
        for (Command c : cs) s = StateTransitions.apply(s, c, T);
        return s;
    }

    @Test
    void text_showsRolesFailuresFencingLikeCrmMon() {
        ClusterConfig cfg = ClusterConfig.builder().node(Node.member("n1", "127.0.0.1:1")).node(Node.member("n2", "127.0.0.2:1"))
                .resource(new Clone("drbd", Primitive.builder("drbd-disk", "drbd").build(), null, true))
                .resource(Primitive.builder("vm1", "kvm").targetRole(vigil.api.model.Role.STOPPED).build()).build();
        ClusterState s = apply(ClusterState.EMPTY, new Command.ReplaceConfig(cfg, -1),
                new Command.SetMembership("n1", Membership.ONLINE, "joined"), new Command.SetMembership("n2", Membership.ONLINE, "joined"),
                new Command.LeaderElected("n1", 7),
                new Command.RecordOperation("drbd-disk", "n1", "promote", null, OcfCode.SUCCESS, Duration.ofMillis(5), "", "", OptionalInt.empty()),
                new Command.RecordOperation("drbd-disk", "n2", "start", null, OcfCode.SUCCESS, Duration.ofMillis(5), "", "", OptionalInt.empty()),
                new Command.RecordOperation("vm1", "n2", "start", null, OcfCode.ERR_GENERIC, Duration.ofMillis(5), "domain failed to boot", "", OptionalInt.empty()),
                new Command.SetMembership("n2", Membership.UNCLEAN, "no reply for 3000 ms"),
                new Command.RecordFence(new FenceEvent("n2", "off", List.of("ipmi-n2"), "n1", true, T, "")));
        String text = StatusView.text(s);
        assertTrue(text.contains("Leader (controller): n1 (term 7)"), text);
        assertTrue(text.contains("* 2 nodes configured (2 members, 0 witnesses)"), text);
        ClusterState withWitness = apply(s, new Command.PutNode(Node.witness("w3", "127.0.0.3:1")));
        assertTrue(StatusView.text(withWitness).contains("* 3 nodes configured (2 members, 1 witness)"), StatusView.text(withWitness));
        assertTrue(text.contains("* Clone Set: drbd [drbd-disk] (promotable):\n    * Promoted: [ n1 ]\n    * Stopped: [ n2 ]"), text);
        assertTrue(text.matches("(?s).*\\* vm1\\s+\\(kvm\\):\\s+Stopped \\(disabled\\).*"), text);
        assertTrue(text.contains("* vm1 on n2: start returned 'err generic' (1): domain failed to boot"), text);
        assertTrue(text.contains("* off of n2 successful: devices=ipmi-n2, executor=n1, at 2026-03-01T10:00:00Z"), text);
        assertTrue(text.contains("* Node n2: offline"), text);
        Map<String, Object> view = StatusView.of(s);
        assertEquals(7L, view.get("term"));
    }

    @Test
    void text_showsAPendingStartAsStarting_andNotAsAFailure() {
        ClusterConfig cfg = ClusterConfig.builder().node(Node.member("n1", "127.0.0.1:1"))
                .resource(Primitive.builder("d1", "ocf:heartbeat:Dummy").build()).resource(Primitive.builder("d2", "ocf:heartbeat:Dummy").build()).build();
        ClusterState s = apply(ClusterState.EMPTY, new Command.ReplaceConfig(cfg, -1), new Command.SetMembership("n1", Membership.ONLINE, "joined"),
                new Command.RecordOperation("d1", "n1", "start", null, OcfCode.SUCCESS, Duration.ofMillis(5), "", "", OptionalInt.empty()),
                new Command.RecordOperation("d2", "n1", "start", null, OcfCode.PENDING, Duration.ZERO, "", "", OptionalInt.empty()));
        String text = StatusView.text(s);
        assertTrue(text.matches("(?s).*\\* d1\\s+\\(ocf:heartbeat:Dummy\\):\\s+Started n1.*"), text);
        assertTrue(text.matches("(?s).*\\* d2\\s+\\(ocf:heartbeat:Dummy\\):\\s+Starting n1.*"), text);
        assertTrue(!text.contains("pending") && !text.contains("Failed Resource Actions"), text);
        s = apply(s, new Command.RecordOperation("d2", "n1", "start", null, OcfCode.SUCCESS, Duration.ofMillis(5), "", "", OptionalInt.empty()));
        assertTrue(!StatusView.text(s).contains("Failed Resource Actions"), StatusView.text(s));
    }

    @Test
    void json_escapesText() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("a", "x\"y\n<");
        m.put("b", java.util.Arrays.asList(1, true, null));
        assertEquals("{\"a\":\"x\\\"y\\n\\u003c\",\"b\":[1,true,null]}", Json.write(m));
    }

    @Test
    void quorumMode_witnessTwoNodeOrDegraded() {
        ClusterConfig pair = ClusterConfig.builder().node(Node.member("n1", "127.0.0.1:1")).node(Node.member("n2", "127.0.0.2:1")).build();
        ClusterState both = apply(ClusterState.EMPTY, new Command.ReplaceConfig(pair, -1),
                new Command.SetMembership("n1", Membership.ONLINE, "joined"), new Command.SetMembership("n2", Membership.ONLINE, "joined"));
        assertTrue(StatusView.text(both).contains("* Quorum mode: no witness and not two-node: a host death stops the cluster"), StatusView.text(both));

        ClusterConfig twoNode = pair.toBuilder().properties(vigil.api.model.ClusterProperties.builder()
                .other(Map.of(vigil.api.model.ClusterProperties.TWO_NODE, "true")).build())
                .fenceDevice(new vigil.api.model.FenceDevice("ipmi", "ipmi", Map.of(), List.of("n1", "n2"), Map.of(), null)).build();
        ClusterState alone = apply(both, new Command.ReplaceConfig(twoNode, -1), new Command.SetMembership("n2", Membership.UNCLEAN, "no reply for 3000 ms"));
        assertEquals(Map.of("mode", "two-node", "degraded", List.of("n2")), StatusView.of(alone).get("quorum-mode"));
        assertTrue(StatusView.text(alone).contains("* Quorum mode: two-node (a host whose peer is lost fences it, then runs alone); DEGRADED: n2 is not online"),
                StatusView.text(alone));

        ClusterConfig withWitness = pair.toBuilder().node(Node.witness("w", "127.0.0.3:1")).build();
        ClusterState witness = apply(both, new Command.ReplaceConfig(withWitness, -1), new Command.SetMembership("w", Membership.ONLINE, "joined"));
        assertEquals(Map.of("mode", "witness", "degraded", List.of()), StatusView.of(witness).get("quorum-mode"));
        assertTrue(StatusView.text(witness).contains("* Quorum mode: with a witness\n"), StatusView.text(witness));
    }
}
