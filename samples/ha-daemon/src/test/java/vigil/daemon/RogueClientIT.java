package vigil.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vigil.api.VigilException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Secrets;
import vigil.api.status.ClusterState;
import vigil.daemon.config.NodeConfig;
import vigil.raft.admin.AdminClient;
import vigil.raft.admin.proto.AdminGrpc;
import vigil.raft.admin.proto.PlacementRequest;
import vigil.raft.admin.proto.StatusRequest;
import vigil.raft.agent.proto.HeartbeatRequest;
import vigil.raft.agent.proto.NodeAgentGrpc;
import vigil.raft.tls.ClusterCa;
import vigil.raft.tls.NodeTls;
import vigil.raft.tls.PeerIdentity;

/**
 * An attacker on the cluster's network against three TLS daemons formed by init + join as the README documents:
 * without the cluster's credentials a Ratis client, a gRPC client of the node agent and an admin client each fail to
 * connect or are refused; a certificate of another CA is refused; a certificate of this CA for a node that is not a
 * member is refused; a read-only client sees status without secrets and can change nothing. The replicated state is
 * compared before and after: nothing changed.
 */
class RogueClientIT {
    private static final String PASSWORD = "fence-secret-42";
    private static JoinedCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new JoinedCluster("""
                properties:
                  stonith-enabled: false
                  node-timeout: 3s
                fence-devices:
                  ipmi-n1: {type: ipmi, params: {ip: 127.0.0.1, username: admin, password: %s}}
                resources:
                  d1:
                    type: ocf:heartbeat:Dummy
                    operations:
                      - {name: monitor, interval: 5s, timeout: 20s}
                """.formatted(PASSWORD));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    /** What an attacker would use: trusts any server. */
    private static X509TrustManager trustAll() { return (X509TrustManager) InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0]; }

    private static NodeTls foreignCertificate(String node) { return ClusterCa.create("evil", UUID.randomUUID()).issueNode(node, List.of("127.0.0.9")); }

    /** A certificate of this cluster's CA (an attacker who stole the CA key) for a node that is no member. */
    private static NodeTls nonMemberCertificate() { return ClusterCa.load(cluster.dir("n1").resolve("pki")).issueNode("n9", List.of("127.0.0.9")); }

    @Test
    void joinedNodes_deriveRaftTimeoutsFromTheClustersNodeTimeout() {
        // only n1 read the bootstrap file (node-timeout 3s); the others learnt it from their join reply. With the 1 s
        // default they called elections after 200-400 ms of silence in a cluster that tolerates 3 s
        for (String n : java.util.List.of("n2", "w3")) {
            assertTrue(cluster.log(n).contains("Raft timeouts follow the cluster's node-timeout 3s"), n + ": " + cluster.log(n));
        }
    }

    @Test
    void joinAsAnExistingNode_namesTheFieldAndKeepsTheToken() throws Exception {
        String token = JoinedCluster.ok("token", "create", "--node-config", cluster.nodeYaml("n1").toString()).out().trim();
        Path dir = cluster.lab.resolve("again-n2");
        var r = DaemonCluster.raw("join", "--node", "n2", "--raft", "127.0.0.9:7001", "--admin", "127.0.0.9:7101", "--dir", dir.toString(),
                "--cluster", cluster.admin("n1"), "--token", token);
        // a taken id is not a credential problem: the answer says which field to change, and the token stays usable
        assertTrue(r.code() != 0, r.out());
        assertTrue(r.err().contains("node: ") && r.err().contains("already a member") && r.err().contains("vigil node remove n2"), r.err());
        assertFalse(r.err().contains("join refused"), r.err());
        assertFalse(Files.exists(dir.resolve("node.yaml")), "a refused join writes nothing");
        var again = DaemonCluster.raw("join", "--node", "n2", "--raft", "127.0.0.9:7001", "--admin", "127.0.0.9:7101", "--dir", dir.toString(),
                "--cluster", cluster.admin("n1"), "--token", token);
        assertTrue(again.err().contains("already a member"), "the token was not used up: " + again.err());
    }

    @Test
    void rogueClients_areRefused_andNothingChanges() throws Exception {
        ClusterState before;
        ClusterConfig withSecrets;
        try (AdminClient admin = cluster.admin()) {
            before = admin.status();
            withSecrets = admin.config(true);
        }
        assertEquals(PASSWORD, withSecrets.fenceDevices().get(0).params().get("password"), "the admin role sees the secret with --show-secrets");
        NodeConfig n1 = NodeConfig.read(cluster.nodeYaml("n1"));
        UUID groupId = n1.cluster().id();
        assertTrue(groupId != null && !groupId.equals(UUID.nameUUIDFromBytes("vigil-cluster:vigil".getBytes(StandardCharsets.UTF_8))),
                "the Raft group id is random per cluster: " + groupId);

        // 1. Ratis clients, with the right group id (as if leaked): plaintext, another CA's certificate, a non-member's
        List<String> raftRefusals = new ArrayList<>();
        raftRefusals.add(rogueRaft(groupId, null));
        raftRefusals.add(rogueRaft(groupId, foreignCertificate("n2")));
        raftRefusals.add(rogueRaft(groupId, nonMemberCertificate()));
        for (String r : raftRefusals) assertTrue(r.startsWith("refused"), r);

        // 2. the node agent: plaintext, TLS without a certificate, another CA's certificate, a non-member's
        assertAgentRefused(null, false);
        assertAgentRefused(null, true);
        assertAgentRefused(foreignCertificate("n2"), true);
        assertAgentRefused(nonMemberCertificate(), true);

        // 3. the admin API: plaintext with the right token (the CLI never does this against a TLS cluster), TLS without
        // credentials, another CA's certificate, and a client that presents the token but trusts any server is fine
        // only because the server is genuine; the token never goes to a server the CA does not vouch for
        assertAdminRefused(ManagedChannelKind.PLAINTEXT, null);
        assertAdminRefused(ManagedChannelKind.TLS, null);
        assertAdminRefused(ManagedChannelKind.TLS, foreignCertificate("admin"));
        NodeTls rogueServerCheck = foreignCertificate("n1");
        try (AdminClient wrongCa = AdminClient.connect(List.of(cluster.admin("n1")), AdminClient.Credentials.token("the-token", rogueServerCheck.trustAnchors()),
                Duration.ofSeconds(10))) {
            VigilException e = assertThrows(VigilException.class, wrongCa::status);
            assertTrue(e.getMessage().contains("securely"), e.getMessage());
        }

        // 4. a read-only client: status without secrets, and no change of any kind
        NodeTls reader = ClusterCa.load(cluster.dir("n1").resolve("pki")).issueClient(PeerIdentity.Kind.READ_ONLY, "monitor");
        try (AdminClient ro = AdminClient.connect(List.of(cluster.admin("n2")), AdminClient.Credentials.certificate(reader), Duration.ofSeconds(20))) {
            ClusterState seen = ro.status();
            assertEquals(Secrets.MASK, seen.config().fenceDevices().get(0).params().get("password"));
            assertFalse(seen.toString().contains(PASSWORD));
            assertEquals(Secrets.MASK, ro.config(false).fenceDevices().get(0).params().get("password"));
            assertRefused(() -> ro.config(true));
            assertRefused(() -> ro.move("d1", "n2", Duration.ofMinutes(5)));
            assertRefused(() -> ro.applyConfig(seen.config()));
            assertRefused(() -> ro.fence("n2"));
            assertRefused(() -> ro.removeMember("n2"));
            assertRefused(() -> ro.createJoinToken(Duration.ofMinutes(5)));
        }

        try (AdminClient admin = cluster.admin()) {
            ClusterState after = admin.status();
            assertEquals(before.configVersion(), after.configVersion(), "config version unchanged");
            assertEquals(before.config(), after.config());
            assertEquals(withSecrets, admin.config(true), "the secrets are unchanged");
            for (String n : JoinedCluster.NODES) assertEquals(before.node(n).membership(), after.node(n).membership(), n);
            assertEquals(3, admin.statusWithServer().server().voters().size());
        }
        for (String n : JoinedCluster.NODES) assertTrue(cluster.daemons.get(n).isAlive(), n + " still runs");
    }

    private static void assertRefused(Runnable r) {
        VigilException e = assertThrows(VigilException.class, r::run);
        assertTrue(e.getMessage().contains("read-only") || e.getMessage().contains("admin role"), e.getMessage());
    }

    /** Tries a write and a membership change with a Ratis client; returns how it ended. */
    private static String rogueRaft(UUID groupId, NodeTls cert) {
        List<RaftPeer> peers = new ArrayList<>();
        for (String n : JoinedCluster.NODES) peers.add(RaftPeer.newBuilder().setId(n).setAddress(cluster.raft(n)).build());
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        Parameters params = new Parameters();
        if (cert != null) {
            GrpcConfigKeys.TLS.setConf(params, GrpcTlsConfig.newBuilder().setKeyManager(cert.keyManager()).setTrustManager(trustAll()).setMutualTls(true).build());
        }
        try (RaftClient c = RaftClient.newBuilder().setRaftGroup(RaftGroup.valueOf(RaftGroupId.valueOf(groupId), peers)).setProperties(p)
                .setParameters(params).setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS))).build()) {
            try {
                var reply = c.io().send(Message.valueOf("garbage that is no Vigil command"));
                if (reply.isSuccess()) return "ACCEPTED a write with " + cert;
            } catch (Exception expected) {
                // refused
            }
            try {
                var reply = c.admin().setConfiguration(List.of(peers.get(0)));
                if (reply.isSuccess()) return "ACCEPTED setConfiguration with " + cert;
            } catch (Exception expected) {
                // refused
            }
            return "refused";
        } catch (java.io.IOException e) {
            return "refused";
        }
    }

    private static void assertAgentRefused(NodeTls cert, boolean tls) throws Exception {
        for (String n : JoinedCluster.NODES) {
            NettyChannelBuilder b = NettyChannelBuilder.forTarget(cluster.admin(n));
            if (tls) {
                var ssl = GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE);
                if (cert != null) ssl.keyManager(cert.keyManager());
                b.sslContext(ssl.build());
            } else {
                b.usePlaintext();
            }
            ManagedChannel ch = b.build();
            try {
                // a heartbeat with a huge term would make the node refuse the real leader's actions
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> NodeAgentGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .heartbeat(HeartbeatRequest.newBuilder().setLeader("evil").setTerm(1_000_000).setNodeTimeoutMs(1000).setLeaseValid(true).build()));
                assertTrue(List.of(io.grpc.Status.Code.UNAVAILABLE, io.grpc.Status.Code.PERMISSION_DENIED, io.grpc.Status.Code.UNAUTHENTICATED)
                        .contains(e.getStatus().getCode()), e.toString());
            } finally {
                ch.shutdownNow();
            }
        }
    }

    private enum ManagedChannelKind { PLAINTEXT, TLS }

    private static void assertAdminRefused(ManagedChannelKind kind, NodeTls cert) throws Exception {
        NettyChannelBuilder b = NettyChannelBuilder.forTarget(cluster.admin("n1"));
        if (kind == ManagedChannelKind.TLS) {
            var ssl = GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE);
            if (cert != null) ssl.keyManager(cert.keyManager());
            b.sslContext(ssl.build());
        } else {
            b.usePlaintext();
        }
        ManagedChannel ch = b.build();
        try {
            String token = vigil.raft.admin.TokenAuth.readTokenFile(cluster.dir("n1").resolve("token"));
            var stub = AdminGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
            if (kind == ManagedChannelKind.PLAINTEXT) stub = stub.withCallCredentials(vigil.raft.admin.TokenAuth.client(token));
            var s = stub;
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> s.status(StatusRequest.getDefaultInstance()));
            assertTrue(List.of(io.grpc.Status.Code.UNAVAILABLE, io.grpc.Status.Code.UNAUTHENTICATED).contains(e.getStatus().getCode()), e.toString());
            assertThrows(StatusRuntimeException.class, () -> s.move(PlacementRequest.newBuilder().setResource("d1").setNode("n2").build()));
        } finally {
            ch.shutdownNow();
        }
    }

}
