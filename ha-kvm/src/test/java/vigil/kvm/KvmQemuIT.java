package vigil.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vigil.api.spi.OperationResult;
import vigil.api.spi.ResourceInstance;
import vigil.api.status.OcfCode;
import vigil.testkit.Await;
import vigil.testkit.LibvirtLab;

/** Real QEMU guests (KVM where /dev/kvm works, TCG otherwise) under a hand-started libvirtd. */
class KvmQemuIT {
    private static LibvirtLab lab;
    private static LibvirtLab.Host host;
    private final KvmDriver driver = new KvmDriver();

    @BeforeAll
    static void startHost() {
        assumeTrue(LibvirtLab.installed(), "libvirtd, virtlogd, virsh or qemu-system-x86_64 not installed (or not root)");
        lab = LibvirtLab.create();
        host = lab.startHost("kvm-a");
    }

    @AfterAll
    static void stopHost() {
        if (lab != null) lab.close();
    }

    @Test
    void lifecycle_guestIgnoringAcpi_isDestroyedAfterShutdownTimeout() {
        ResourceInstance i = instance("q1", Map.of("shutdown-timeout", "3s"));
        assertEquals(OcfCode.NOT_RUNNING, driver.monitor(i).code());
        OperationResult started = driver.start(i);
        assertEquals(OcfCode.SUCCESS, started.code(), started.message());
        assertTrue(host.qemuPids().containsKey("q1"), "a QEMU process runs the guest: " + host.qemuPids());
        assertEquals(OcfCode.SUCCESS, driver.monitor(i).code());
        // the guest has no OS, so nothing answers the ACPI power button: stop must fall back to destroy
        OperationResult stopped = driver.stop(i);
        assertEquals(OcfCode.SUCCESS, stopped.code(), stopped.message());
        assertEquals(Map.of(), host.qemuPids());
        assertEquals(OcfCode.NOT_RUNNING, driver.monitor(i).code());
        assertEquals(OcfCode.SUCCESS, driver.stop(i).code());
    }

    @Test
    void monitor_guestKilledBehindLibvirtsBack_isNotRunning_andStartRecovers() {
        ResourceInstance i = instance("q2", Map.of("shutdown-timeout", "0"));
        assertEquals(OcfCode.SUCCESS, driver.start(i).code());
        long pid = host.qemuPids().get("q2");
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        Await.until(Duration.ofSeconds(30), "libvirt noticing that q2's QEMU died", () -> driver.monitor(i).code() == OcfCode.NOT_RUNNING);
        OperationResult again = driver.start(i);
        assertEquals(OcfCode.SUCCESS, again.code(), again.message());
        assertTrue(host.qemuPids().containsKey("q2"));
        assertEquals(OcfCode.SUCCESS, driver.stop(i).code());
    }

    @Test
    void monitor_guestAgentPingWithoutAgentChannel_fails() {
        ResourceInstance plain = instance("q3", Map.of("shutdown-timeout", "0"));
        assertEquals(OcfCode.SUCCESS, driver.start(plain).code());
        try {
            OperationResult r = driver.monitor(instance("q3", Map.of("guest-agent-ping", "true")));
            assertEquals(OcfCode.ERR_GENERIC, r.code());
            assertTrue(r.message().contains("guest agent") && r.message().contains("q3"), r.message());
        } finally {
            assertEquals(OcfCode.SUCCESS, driver.stop(plain).code());
        }
    }

    @Test
    void lifecycle_tcgGuest_runsWithoutKvm() {
        ResourceInstance i = new ResourceInstance("q5", "kvm", 0, Map.of("config-blob", "q5.xml", "hypervisor", host.uri(), "shutdown-timeout", "0"),
                Map.of(), "kvm-a", Duration.ofSeconds(60), "", Map.of(), Map.of("q5.xml", LibvirtLab.guestXml("q5", false)));
        OperationResult started = driver.start(i);
        assertEquals(OcfCode.SUCCESS, started.code(), started.message());
        assertTrue(host.qemuPids().containsKey("q5"));
        assertEquals(OcfCode.SUCCESS, driver.monitor(i).code());
        assertEquals(OcfCode.SUCCESS, driver.stop(i).code());
        assertEquals(OcfCode.NOT_RUNNING, driver.monitor(i).code());
    }

    @Test
    void start_missingEmulator_isErrInstalledNamingIt() {
        String xml = LibvirtLab.guestXml("q4").replace("/usr/bin/qemu-system-x86_64", "/usr/bin/qemu-system-none");
        ResourceInstance i = new ResourceInstance("q4", "kvm", 0, Map.of("config-blob", "q4.xml", "hypervisor", host.uri()), Map.of(), "kvm-a",
                Duration.ofSeconds(60), "", Map.of(), Map.of("q4.xml", xml));
        OperationResult r = driver.start(i);
        assertEquals(OcfCode.ERR_INSTALLED, r.code(), "missing on this node, maybe not on others: " + r.message());
        assertTrue(r.message().contains("/usr/bin/qemu-system-none"), r.message());
        assertEquals(OcfCode.NOT_RUNNING, driver.monitor(i).code());
    }

    private static ResourceInstance instance(String name, Map<String, String> extra) {
        Map<String, String> params = new java.util.HashMap<>(extra);
        params.put("config-blob", name + ".xml");
        params.put("hypervisor", host.uri());
        return new ResourceInstance(name, "kvm", 0, params, Map.of(), "kvm-a", Duration.ofSeconds(60), "", Map.of(),
                Map.of(name + ".xml", LibvirtLab.guestXml(name)));
    }
}
