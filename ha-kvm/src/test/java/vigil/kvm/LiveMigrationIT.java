package vigil.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.DomainJobInfo;
import org.libvirt.LibvirtException;
import vigil.api.spi.OperationResult;
import vigil.api.spi.ResourceInstance;
import vigil.api.status.OcfCode;
import vigil.testkit.Await;
import vigil.testkit.LibvirtLab;

/**
 * Live migration for real between two libvirt hosts on this machine (each libvirtd in its own mount and UTS
 * namespace with its own host_uuid), through the driver's migrate_to on the source and migrate_from on the
 * target, peer-to-peer, as the cluster runs them. The hosts' names do not resolve, so migration data goes to
 * {@code tcp://127.0.0.1}. A failed migration must leave the guest running exactly once.
 */
class LiveMigrationIT {
    private static final Duration MIGRATE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration OP_TIMEOUT = Duration.ofSeconds(60);
    private static LibvirtLab lab;
    private static LibvirtLab.Host a;
    private static LibvirtLab.Host b;
    private final KvmDriver driver = new KvmDriver();

    @BeforeAll
    static void startHosts() {
        assumeTrue(LibvirtLab.installed(), "libvirtd, virtlogd, virsh or qemu-system-x86_64 not installed (or not root)");
        lab = LibvirtLab.create();
        a = lab.startHost("lab-a");
        b = lab.startHost("lab-b");
    }

    @AfterAll
    static void stopHosts() {
        if (lab != null) lab.close();
    }

    /** A test that took a host down brings it back, and a failed one leaves no guest behind for the next. */
    @AfterEach
    void hostsUpAndEmpty() {
        for (LibvirtLab.Host h : List.of(a, b)) {
            if (!h.libvirtdRunning()) h.restart();
            for (String vm : h.qemuPids().keySet()) driver.stop(on(h, vm, Map.of("shutdown-timeout", "0")));
        }
    }

    @Test
    void migrateToAndBack_guestRunsOnTargetOnly_eachTime() {
        String vm = "mig1";
        assertOk(driver.start(on(a, vm, Map.of())));

        assertOk(driver.migrateTo(migrate(a, b, vm, Map.of("auto-converge", "true"))));
        assertOk(driver.migrateFrom(migrate(b, a, vm, Map.of())));
        assertRunsOnlyOn(b, a, vm);
        // the cluster stops the migrated resource on the source afterwards: there is nothing left to stop
        assertOk(driver.stop(on(a, vm, Map.of())));
        assertRunsOnlyOn(b, a, vm);

        // back, configured as a cluster would: one hypervisor URI pattern for all nodes, no per-node attribute
        Map<String, String> shared = Map.of("hypervisor", lab.uriFor("{node}"), "migrate-bandwidth", "512");
        assertOk(driver.migrateTo(instance(b, vm, shared, MIGRATE_TIMEOUT, a.name(), Map.of())));
        assertOk(driver.migrateFrom(instance(a, vm, shared, MIGRATE_TIMEOUT, b.name(), Map.of())));
        assertOk(driver.stop(instance(b, vm, shared, OP_TIMEOUT, "", Map.of())));
        assertRunsOnlyOn(a, b, vm);

        assertOk(driver.stop(on(a, vm, Map.of("shutdown-timeout", "0"))));
        assertFalse(a.qemuPids().containsKey(vm));
        assertFalse(b.qemuPids().containsKey(vm));
    }

    @Test
    void migrateTo_targetLibvirtdDownBeforehand_failsAndGuestKeepsRunningOnSource() {
        String vm = "mig2";
        assertOk(driver.start(on(a, vm, Map.of())));
        b.killLibvirtd();

        OperationResult r = driver.migrateTo(migrate(a, b, vm, Map.of()));
        assertEquals(OcfCode.ERR_GENERIC, r.code(), r.message());
        assertTrue(r.message().contains("lab-b") && r.message().contains("keeps running on lab-a"), r.message());
        assertEquals(OcfCode.ERR_INSTALLED, driver.migrateFrom(migrate(b, a, vm, Map.of())).code(), "migrate_from cannot succeed on a dead host");

        b.restart();
        assertRunsOnlyOn(a, b, vm);
        // and once the target is back, the same migration works
        assertOk(driver.migrateTo(migrate(a, b, vm, Map.of())));
        assertOk(driver.migrateFrom(migrate(b, a, vm, Map.of())));
        assertRunsOnlyOn(b, a, vm);
        assertOk(driver.stop(on(b, vm, Map.of("shutdown-timeout", "0"))));
    }

    @Test
    void migrateTo_targetHostDiesMidway_failsAndGuestRunsExactlyOnceOnSource() throws Exception {
        String vm = "mig3";
        assertOk(driver.start(on(a, vm, Map.of())));
        // 1 MiB/s keeps the transfer going for seconds once the target's QEMU is up
        CompletableFuture<OperationResult> migration = CompletableFuture.supplyAsync(() -> driver.migrateTo(migrate(a, b, vm,
                Map.of("migrate-bandwidth", "1"))));
        Await.until(Duration.ofSeconds(90), "the incoming QEMU of " + vm + " on lab-b", () -> b.qemuPids().containsKey(vm) || migration.isDone());
        assertFalse(migration.isDone(), () -> "migration ended before the target could be taken down: " + migration.join());
        b.freeze();
        assertTrue(outgoingMigrationActive(a, vm), "the migration is under way when lab-b hangs");
        b.crash();

        OperationResult r = migration.get();
        assertEquals(OcfCode.ERR_GENERIC, r.code(), r.message());
        assertTrue(r.message().contains("keeps running on lab-a"), r.message());
        assertFalse(b.qemuPids().containsKey(vm), "nothing of lab-b survived its crash");
        b.restart();
        assertRunsOnlyOn(a, b, vm);
        assertOk(driver.stop(on(a, vm, Map.of("shutdown-timeout", "0"))));
    }

    @Test
    void migrateTo_targetHangs_abortedAtMigrateTimeout_guestStaysOnSource() throws Exception {
        String vm = "mig4";
        assertOk(driver.start(on(a, vm, Map.of())));
        b.freeze();
        try {
            // a hung target accepts the connection and never answers: only the driver's own time limit ends the wait
            CompletableFuture<OperationResult> migration = CompletableFuture.supplyAsync(() -> driver.migrateTo(migrate(a, b, vm,
                    Map.of("migrate-timeout", "3s"))));
            OperationResult r = migration.get(MIGRATE_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(OcfCode.ERR_GENERIC, r.code(), r.message());
            assertTrue(r.message().contains("migrate-timeout 3s") && r.message().contains("keeps running on lab-a"), r.message());
            assertEquals(OcfCode.SUCCESS, driver.monitor(on(a, vm, Map.of())).code());
        } finally {
            b.crash();
        }
        // the target's death ends libvirt's stuck migration job on the source; the guest never left it
        Await.until(Duration.ofSeconds(60), "the migration job of " + vm + " on lab-a to end", () -> {
            try {
                return !outgoingMigrationActive(a, vm);
            } catch (LibvirtException e) {
                throw new IllegalStateException(e);
            }
        });
        b.restart();
        assertRunsOnlyOn(a, b, vm);
        assertOk(driver.stop(on(a, vm, Map.of("shutdown-timeout", "0"))));
    }

    private void assertRunsOnlyOn(LibvirtLab.Host runs, LibvirtLab.Host not, String vm) {
        assertEquals(OcfCode.SUCCESS, driver.monitor(on(runs, vm, Map.of())).code(), vm + " runs on " + runs.name());
        assertEquals(OcfCode.NOT_RUNNING, driver.monitor(on(not, vm, Map.of())).code(), vm + " does not run on " + not.name());
        assertTrue(runs.qemuPids().containsKey(vm), "a QEMU process for " + vm + " on " + runs.name() + ": " + runs.qemuPids());
        assertFalse(not.qemuPids().containsKey(vm), "no QEMU process for " + vm + " on " + not.name() + ": " + not.qemuPids());
    }

    private static boolean outgoingMigrationActive(LibvirtLab.Host source, String vm) throws LibvirtException {
        Connect c = new Connect(source.uri());
        try {
            DomainJobInfo job = c.domainLookupByName(vm).getJobInfo();
            return job.getType() != 0;
        } finally {
            c.close();
        }
    }

    private static void assertOk(OperationResult r) {
        assertEquals(OcfCode.SUCCESS, r.code(), r.message());
    }

    private static ResourceInstance on(LibvirtLab.Host host, String vm, Map<String, String> extra) {
        return instance(host, vm, extra, OP_TIMEOUT, "", Map.of());
    }

    /** The operation on {@code local} of migrating between it and {@code peer} (migrate_to: peer is the target; migrate_from: the source). */
    private static ResourceInstance migrate(LibvirtLab.Host local, LibvirtLab.Host peer, String vm, Map<String, String> extra) {
        return instance(local, vm, extra, MIGRATE_TIMEOUT, peer.name(), Map.of("libvirt-uri", peer.uri()));
    }

    private static ResourceInstance instance(LibvirtLab.Host host, String vm, Map<String, String> extra, Duration timeout, String peer,
                                             Map<String, String> peerAttributes) {
        Map<String, String> params = new HashMap<>();
        params.put("config-blob", vm + ".xml");
        params.put("hypervisor", host.uri());
        params.put("migration-uri", "tcp://127.0.0.1");
        params.putAll(extra);
        return new ResourceInstance(vm, "kvm", 0, params, Map.of(), host.name(), timeout, peer, peerAttributes,
                Map.of(vm + ".xml", LibvirtLab.guestXml(vm)));
    }
}
