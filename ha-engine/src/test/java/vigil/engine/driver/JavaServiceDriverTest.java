package vigil.engine.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vigil.api.ManagedService;
import vigil.api.spi.OperationResult;
import vigil.api.spi.ResourceDriverProvider;
import vigil.api.spi.ResourceInstance;
import vigil.api.status.OcfCode;

class JavaServiceDriverTest {
    /** A promotable service that keeps its state in fields. */
    static final class Db implements ManagedService {
        boolean running;
        boolean promoted;
        String failStart;

        @Override
        public void start() throws Exception {
            if (failStart != null) throw new java.io.IOException(failStart);
            running = true;
        }

        @Override
        public void stop() { running = false; promoted = false; }

        @Override
        public boolean isRunning() { return running; }

        @Override
        public void promote() { promoted = true; }

        @Override
        public void demote() { promoted = false; }

        @Override
        public boolean isPromoted() { return promoted; }
    }

    /** Implements only what every service must. */
    static final class Plain implements ManagedService {
        boolean running;

        @Override
        public void start() { running = true; }

        @Override
        public void stop() { running = false; }

        @Override
        public boolean isRunning() { return running; }
    }

    private static ResourceInstance inst(String type, Map<String, String> params) {
        return new ResourceInstance("db1", type, 0, params, Map.of(), "node1", Duration.ofSeconds(5), "", Map.of(), Map.of());
    }

    @Test
    void lifecycle_monitorFollowsTheServiceRoles() {
        JavaServiceDriver d = new JavaServiceDriver();
        Db db = new Db();
        d.register("db", db);
        var i = inst("java:db", Map.of());
        assertEquals(OcfCode.NOT_RUNNING, d.monitor(i).code());
        assertTrue(d.start(i).isSuccess());
        assertEquals(OcfCode.SUCCESS, d.monitor(i).code());
        assertTrue(d.promote(i).isSuccess());
        assertEquals(OcfCode.RUNNING_PROMOTED, d.monitor(i).code());
        assertTrue(d.demote(i).isSuccess());
        assertEquals(OcfCode.SUCCESS, d.monitor(i).code());
        assertTrue(d.stop(i).isSuccess());
        assertEquals(OcfCode.NOT_RUNNING, d.monitor(i).code());
    }

    @Test
    void callbackThrows_genericErrorWithMessageAndSecretsMasked() {
        JavaServiceDriver d = new JavaServiceDriver();
        Db db = new Db();
        db.failStart = "login refused for token s3cr3t-t0ken";
        d.register("db", db);
        OperationResult r = d.start(inst("java:db", Map.of("api-token", "s3cr3t-t0ken")));
        assertEquals(OcfCode.ERR_GENERIC, r.code());
        assertEquals("db1: start failed: IOException: login refused for token ******", r.message());
    }

    @Test
    void notRegistered_notInstalledSayingHowToRegister() {
        JavaServiceDriver d = new JavaServiceDriver();
        OperationResult r = d.start(inst("java:billing", Map.of()));
        assertEquals(OcfCode.ERR_INSTALLED, r.code());
        assertTrue(r.message().contains("java service \"billing\" is not registered on node node1"), r.message());
        assertTrue(r.message().contains("JavaServiceDriver.register(\"billing\""), r.message());
    }

    @Test
    void promoteNotImplemented_unimplemented() {
        JavaServiceDriver d = new JavaServiceDriver();
        d.register("plain", new Plain());
        assertEquals(OcfCode.ERR_UNIMPLEMENTED, d.promote(inst("java:plain", Map.of())).code());
        assertEquals(OcfCode.ERR_UNIMPLEMENTED, d.migrateTo(inst("java:plain", Map.of())).code());
    }

    @Test
    void register_sameNameTwice_refusedNamingIt() {
        JavaServiceDriver d = new JavaServiceDriver();
        d.register("db", new Db());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.register("db", new Db()));
        assertTrue(e.getMessage().contains("\"db\" is already registered"), e.getMessage());
        assertTrue(d.unregister("db"));
        assertFalse(d.unregister("db"));
        assertThrows(IllegalArgumentException.class, () -> d.register("a:b", new Db()));
    }

    @Test
    void registry_javaTypesToTheJavaDriver_unknownTypesToNone() {
        JavaServiceDriver java = new JavaServiceDriver();
        DriverRegistry r = DriverRegistry.load(java);
        assertSame(java, r.find("java:anything").orElseThrow());
        assertTrue(r.find("ocf:heartbeat:Dummy").isPresent(), "the OCF driver is found through ServiceLoader");
        assertTrue(r.find("lsb:nothing").isEmpty());
        assertTrue(DriverRegistry.noDriver("x", "lsb:nothing").contains("no driver for type \"lsb:nothing\""));
        ResourceDriverProvider none = new ResourceDriverProvider() {
            @Override
            public boolean supports(String type) { return false; }

            @Override
            public vigil.api.spi.ResourceDriver create(String type) { throw new AssertionError(); }
        };
        assertTrue(new DriverRegistry(List.of(none)).find("java:x").isEmpty());
    }
}
