package vigil.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vigil.api.ClusterEvent;
import vigil.api.ConfigException;
import vigil.api.Subscription;
import vigil.api.VigilException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.status.ClusterState;
import vigil.raft.admin.AdminClient;
import vigil.raft.admin.AdminServer;
import vigil.raft.admin.proto.AdminGrpc;
import vigil.raft.admin.proto.StatusRequest;
import vigil.testkit.Await;

/** The admin gRPC API end to end over localhost: token check, errors carried intact, the event stream. */
class AdminApiTest {
    StateMachineCluster cluster;
    AdminServer server;
    AdminClient client;

    @BeforeEach
    void start() {
        cluster = new StateMachineCluster(ClusterState.EMPTY);
        cluster.applyConfig(ClusterConfig.builder().node(Node.member("n1", "127.0.0.1:9001")).resource(Primitive.builder("d1", "ocf:heartbeat:Dummy").build()).build());
        server = AdminServer.start(cluster, "127.0.0.1", 0, "right-token");
        client = AdminClient.connect(List.of("127.0.0.1:" + server.port()), "right-token", Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void call_withoutToken_isUnauthenticated() {
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> AdminGrpc.newBlockingStub(ch).status(StatusRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().startsWith("no credentials"), e.getStatus().getDescription());
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void call_withWrongToken_isRefusedAndChangesNothing() {
        try (AdminClient wrong = AdminClient.connect(List.of("127.0.0.1:" + server.port()), "wrong-token", Duration.ofSeconds(5))) {
            ClusterState before = cluster.status();
            VigilException e = assertThrows(VigilException.class, () -> wrong.disable("d1"));
            assertTrue(e.getMessage().contains("invalid cluster token"), e.getMessage());
            assertFalse(e.getMessage().contains("right-token") || e.getMessage().contains("wrong-token"), e.getMessage());
            assertEquals(before, cluster.status());
        }
    }

    @Test
    void status_roundTripsTheWholeState() {
        assertEquals(cluster.status(), client.status());
    }

    @Test
    void invalidChange_arrivesAsConfigExceptionWithFieldAndFix() {
        ConfigException e = assertThrows(ConfigException.class, () -> client.updateConfig(c -> c.toBuilder()
                .resource(Primitive.builder("d2", "ocf:heartbeat:Dummy").meta("migration-threshold", "-3").build()).build()));
        assertEquals("resources.d2.meta.migration-threshold", e.field());
        assertTrue(e.fix().contains("non-negative"), e.fix());
        assertTrue(cluster.status().config().resource("d2").isEmpty());
    }

    @Test
    @SuppressWarnings("try")
    void subscribe_receivesCommittedChangesInOrder() {
        List<ClusterEvent> events = new CopyOnWriteArrayList<>();
        try (Subscription s = client.subscribe(events::add)) {
            Await.until(Duration.ofSeconds(10), "the stream is open", () -> {
                cluster.standby("n1");
                return !events.isEmpty();
            });
            cluster.disable("d1");
            Await.until(Duration.ofSeconds(10), "the disable arrives", () -> events.stream().anyMatch(e -> e instanceof ClusterEvent.StateChanged sc
                    && sc.state().config().resource("d1").orElseThrow().meta().targetRole().isPresent()));
        }
    }

    @Test
    void unreachable_allTargetsNamed() {
        try (AdminClient dead = AdminClient.connect(List.of("127.0.0.1:1", "127.0.0.1:2"), "t", Duration.ofSeconds(5))) {
            VigilException e = assertThrows(VigilException.class, dead::status);
            assertTrue(e.getMessage().contains("127.0.0.1:1") && e.getMessage().contains("127.0.0.1:2"), e.getMessage());
        }
    }

    /**
     * A change that committed but whose reply came too late (a busy or dying node answering the admin call) must not be
     * applied a second time when the client tries again through another node: updateConfig is called once, so the
     * change is in the config once (or the call fails and the caller cannot know, but never twice).
     */
    @Test
    void updateConfig_whoseReplyIsLate_isAppliedOnce() throws Exception {
        java.util.concurrent.CountDownLatch retried = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();
        vigil.api.Cluster lateOnce = (vigil.api.Cluster) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {vigil.api.Cluster.class}, (proxy, m, args) -> {
                    boolean change = m.getName().equals("applyConfig") || m.getName().equals("updateConfig");
                    int n = change ? changes.incrementAndGet() : 0;
                    Object r;
                    try {
                        r = m.invoke(cluster, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    // the first change is committed, its answer is held until the client has tried again
                    if (n == 1) retried.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    if (n > 1) retried.countDown();
                    return r;
                });
        AdminServer a = AdminServer.start(lateOnce, "127.0.0.1", 0, "right-token");
        AdminServer b = AdminServer.start(lateOnce, "127.0.0.1", 0, "right-token");
        try (AdminClient twoNodes = AdminClient.connect(List.of("127.0.0.1:" + a.port(), "127.0.0.1:" + b.port()), "right-token",
                Duration.ofSeconds(5))) {
            twoNodes.status(); // connected
            twoNodes.updateConfig(c -> c.toBuilder().blob("ids", c.blobs().getOrDefault("ids", "") + " once").build());
        } catch (VigilException notAcknowledged) {
            // acceptable: the caller cannot know whether it happened
        } finally {
            retried.countDown();
            a.close();
            b.close();
        }
        assertEquals(" once", cluster.status().config().blobs().get("ids"), "one updateConfig call, one change");
    }

    @Test
    void aRead_cutOffByItsServerStopping_isAnsweredByTheNextNode() throws Exception {
        java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
        vigil.api.Cluster stopping = (vigil.api.Cluster) java.lang.reflect.Proxy.newProxyInstance(vigil.api.Cluster.class.getClassLoader(),
                new Class<?>[] {vigil.api.Cluster.class}, (proxy, method, args) -> {
                    if (method.getName().equals("status")) {
                        asked.countDown();
                        Thread.sleep(60_000); // a node that stops while it answers: its server closes the call
                    }
                    return method.invoke(cluster, args);
                });
        AdminServer going = AdminServer.start(stopping, "127.0.0.1", 0, "right-token");
        try (AdminClient both = AdminClient.connect(List.of("127.0.0.1:" + going.port(), "127.0.0.1:" + server.port()), "right-token", Duration.ofSeconds(30))) {
            Thread closer = new Thread(() -> {
                try {
                    asked.await();
                } catch (InterruptedException e) {
                    return;
                }
                going.close();
            });
            closer.start();
            assertEquals(cluster.status(), both.status(), "the call the stopping node cancelled, answered by the other node");
            closer.join();
        } finally {
            going.close();
        }
    }
}
