package vigil.fencing.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.api.spi.ProcessRunner;
import vigil.fencing.FenceAgents;
import vigil.testkit.LabDir;
import vigil.testkit.LibvirtLab;

/** The libvirt adapter against libvirt's test driver and against a real QEMU guest under a hand-started libvirtd. */
class LibvirtFenceIT {
    private static final Duration T = Duration.ofSeconds(30);
    private final List<Path> labs = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void removeLabs() { labs.forEach(vigil.fencing.Labs::delete); }

    private static FenceAgent agent(String uri, Map<String, String> hostMap) {
        return FenceAgents.create(new FenceDevice("virt", "libvirt", Map.of("uri", uri, "power_wait", "100ms"), List.of(), hostMap, null));
    }

    private String testDriver() throws IOException {
        Path lab = LabDir.create("virt");
        labs.add(lab);
        Path xml = lab.resolve("node.xml");
        Files.writeString(xml, "<node>\n"
                + domain("vm1", 1) + domain("vm2", 5)
                + "</node>\n");
        return "test://" + xml;
    }

    private static String domain(String name, int runstate) {
        return "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><name>" + name + "</name>"
                + "<memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os><test:runstate>" + runstate + "</test:runstate></domain>\n";
    }

    @Test
    void testDriver_offOnReboot_changeTheDomainState() throws IOException {
        try (FenceAgent a = agent(testDriver(), Map.of("n1", "vm1"))) {
            FenceRequest n1 = new FenceRequest("n1", "vm1", T);
            assertInstanceOf(FenceResult.On.class, a.status(n1));
            assertInstanceOf(FenceResult.Off.class, a.status(new FenceRequest("n2", "vm2", T)));
            FenceResult off = a.off(n1);
            assertInstanceOf(FenceResult.Off.class, off, off.detail());
            assertInstanceOf(FenceResult.Off.class, a.status(n1));
            FenceResult offAgain = a.off(n1);
            assertInstanceOf(FenceResult.Off.class, offAgain, "off of an off domain is a confirmed off: " + offAgain.detail());
            FenceResult on = a.on(n1);
            assertInstanceOf(FenceResult.On.class, on, on.detail());
            assertInstanceOf(FenceResult.On.class, a.status(n1));
            FenceResult reboot = a.reboot(n1);
            assertInstanceOf(FenceResult.Off.class, reboot, reboot.detail());
            assertInstanceOf(FenceResult.On.class, a.status(n1));
            assertEquals(List.of("vm1", "vm2"), a.list(T).stream().sorted().toList());
            assertInstanceOf(FenceResult.On.class, a.monitor(T));
        }
    }

    @Test
    void testDriver_unknownDomain_isAFailureNamingTheHostMap() throws IOException {
        try (FenceAgent a = agent(testDriver(), Map.of())) {
            FenceResult r = a.off(new FenceRequest("n7", "vm7", T));
            assertInstanceOf(FenceResult.Failed.class, r);
            assertTrue(r.detail().contains("no domain named vm7") && r.detail().contains("host map"), r.detail());
        }
    }

    @Test
    void unreachableHypervisor_isAFailedFence() {
        try (FenceAgent a = agent("qemu+tcp://127.0.0.1:9/system", Map.of())) {
            FenceResult r = a.off(new FenceRequest("n1", "vm1", Duration.ofSeconds(10)));
            assertInstanceOf(FenceResult.Failed.class, r);
            assertTrue(r.detail().contains("libvirt at qemu+tcp://127.0.0.1:9/system could not"), r.detail());
            assertInstanceOf(FenceResult.Failed.class, a.monitor(Duration.ofSeconds(10)));
        }
    }

    @Test
    void hungHypervisor_timesOutAsAFailedFence() throws Exception {
        // accepts connections and never answers, as a hung libvirtd does
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) held.add(silent.accept());
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String uri = "qemu+tcp://127.0.0.1:" + silent.getLocalPort() + "/system";
            FenceAgent a = agent(uri, Map.of());
            FenceResult r = a.off(new FenceRequest("n1", "vm1", Duration.ofSeconds(3)));
            assertInstanceOf(FenceResult.Failed.class, r);
            assertTrue(r.detail().contains("did not destroy domain vm1 within"), r.detail());
            a.close();
        } finally {
            for (Socket s : held) s.close();
        }
    }

    @Test
    void qemuGuest_underHandStartedLibvirtd_isDestroyedAndStarted() {
        assumeTrue(LibvirtLab.installed(), "libvirtd, virtlogd or qemu-system-x86_64 not installed, or not root (bin/install-test-peers)");
        try (LibvirtLab lab = LibvirtLab.create()) {
            LibvirtLab.Host host = lab.startHost("fence-h1");
            Path xml = lab.dir().resolve("guest1.xml");
            try {
                Files.writeString(xml, LibvirtLab.guestXml("guest1"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            var def = ProcessRunner.local().run(List.of("virsh", "-q", "-c", host.uri(), "define", xml.toString()), T);
            assertTrue(def.ok(), def.stderr());
            var start = ProcessRunner.local().run(List.of("virsh", "-q", "-c", host.uri(), "start", "guest1"), T);
            assertTrue(start.ok(), start.stderr());
            assertTrue(host.qemuPids().containsKey("guest1"));
            try (FenceAgent a = agent(host.uri(), Map.of("n1", "guest1"))) {
                FenceRequest n1 = new FenceRequest("n1", "guest1", Duration.ofSeconds(60));
                assertInstanceOf(FenceResult.On.class, a.status(n1));
                FenceResult off = a.off(n1);
                assertInstanceOf(FenceResult.Off.class, off, off.detail());
                assertTrue(host.qemuPids().isEmpty(), "the QEMU process is gone: " + host.qemuPids());
                FenceResult on = a.on(n1);
                assertInstanceOf(FenceResult.On.class, on, on.detail());
                assertTrue(host.qemuPids().containsKey("guest1"));
                FenceResult offAgain = a.off(n1);
                assertInstanceOf(FenceResult.Off.class, offAgain, offAgain.detail());
            }
        }
    }
}
