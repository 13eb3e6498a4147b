package vigil.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.LibvirtException;
import vigil.api.spi.OperationResult;
import vigil.api.spi.ResourceInstance;
import vigil.api.status.OcfCode;
import vigil.testkit.LabDir;

/**
 * The driver against libvirt's test driver (in-process, no daemon): {@code test:///default} is one hypervisor
 * shared by every connection of this JVM, so state persists across operations; {@code test:///FILE} gives each
 * connection a fresh copy of a node file, used here to present domains in given states.
 */
class KvmTestDriverIT {
    private static final String DEFAULT = "test:///default";
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static Path lab;
    private final KvmDriver driver = new KvmDriver();

    @BeforeAll
    static void libvirtPresent() {
        assumeTrue(clientLibraryLoads(), "libvirt client library (libvirt0) not installed");
        lab = LabDir.create("kvmt");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (lab == null) return;
        try (var s = Files.walk(lab)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }

    @Test
    void lifecycle_fromBlob_definesStartsMonitorsStops() throws LibvirtException {
        String name = uniqueName();
        ResourceInstance i = instance(Map.of("config-blob", "xml-" + name, "hypervisor", DEFAULT), Map.of("xml-" + name, testXml(name)));
        assertEquals(OcfCode.NOT_RUNNING, driver.monitor(i).code(), "not defined yet");
        assertEquals(OperationResult.success(), driver.start(i));
        assertEquals(DomainState.VIR_DOMAIN_RUNNING, stateOf(name));
        assertEquals(OcfCode.SUCCESS, driver.monitor(i).code());
        assertEquals(OcfCode.SUCCESS, driver.start(i).code(), "start of a running domain succeeds");
        assertEquals(OcfCode.SUCCESS, driver.stop(i).code());
        assertEquals(DomainState.VIR_DOMAIN_SHUTOFF, stateOf(name));
        assertEquals(OcfCode.NOT_RUNNING, driver.monitor(i).code());
        assertEquals(OcfCode.SUCCESS, driver.stop(i).code(), "stop of a stopped domain succeeds");
        OperationResult again = driver.start(i);
        assertEquals(OcfCode.SUCCESS, again.code(), again.message());
        assertEquals(OcfCode.SUCCESS, driver.monitor(i).code());
        assertEquals(OcfCode.SUCCESS, driver.stop(i).code());
    }

    @Test
    void start_redefinesFromBlob_andTurnsAutostartOff() throws LibvirtException {
        String name = uniqueName();
        Connect c = new Connect(DEFAULT);
        try {
            Domain d = c.domainDefineXML(testXml(name).replace(">64<", ">32<"));
            d.setAutostart(true);
            ResourceInstance i = instance(Map.of("config-blob", "b", "hypervisor", DEFAULT), Map.of("b", testXml(name)));
            assertEquals(OcfCode.SUCCESS, driver.start(i).code());
            Domain now = c.domainLookupByName(name);
            assertFalse(now.getAutostart(), "libvirtd must never start a cluster-managed domain by itself");
            assertEquals(64 * 1024, now.getMaxMemory(), "the blob's XML replaced the stale definition");
            assertEquals(OcfCode.SUCCESS, driver.stop(i).code());
        } finally {
            c.close();
        }
    }

    @Test
    void stop_ofUndefinedDomain_succeeds() {
        assertEquals(OcfCode.SUCCESS, driver.stop(instance(Map.of("domain", uniqueName(), "hypervisor", DEFAULT), Map.of())).code());
    }

    @Test
    void stop_withoutGracefulPhase_destroys() throws LibvirtException {
        String name = uniqueName();
        ResourceInstance i = instance(Map.of("config-blob", "b", "hypervisor", DEFAULT, "shutdown-timeout", "0"), Map.of("b", testXml(name)));
        assertEquals(OcfCode.SUCCESS, driver.start(i).code());
        assertEquals(OcfCode.SUCCESS, driver.stop(i).code());
        assertEquals(DomainState.VIR_DOMAIN_SHUTOFF, stateOf(name));
    }

    @Test
    void start_xmlLibvirtRejects_isErrConfiguredWithLibvirtsReason() {
        String name = uniqueName();
        String badMemory = testXml(name).replace(">64<", ">abc<");
        OperationResult r = driver.start(instance(Map.of("config-blob", "b", "hypervisor", DEFAULT), Map.of("b", badMemory)));
        assertEquals(OcfCode.ERR_CONFIGURED, r.code(), r.message());
        assertTrue(r.message().contains("blob b") && r.message().contains("abc"), r.message());
        String badOs = testXml(name).replace(">hvm<", ">bogus<");
        OperationResult os = driver.start(instance(Map.of("config-blob", "b", "hypervisor", DEFAULT), Map.of("b", badOs)));
        assertEquals(OcfCode.ERR_CONFIGURED, os.code(), os.message());
        assertTrue(os.message().contains("bogus"), os.message());
    }

    @Test
    void start_malformedXml_isErrConfiguredBeforeLibvirt() {
        OperationResult r = driver.start(instance(Map.of("config-blob", "b", "hypervisor", DEFAULT), Map.of("b", "<domain type='test'><name>x")));
        assertEquals(OcfCode.ERR_CONFIGURED, r.code());
        assertTrue(r.message().contains("not well-formed"), r.message());
    }

    @Test
    void unreachableLibvirt_isErrInstalledForEveryOperation() {
        Path socket = lab.resolve("no-such-sock");
        String uri = "qemu+unix:///system?socket=" + socket;
        ResourceInstance i = instance(Map.of("domain", "vm1", "hypervisor", uri), Map.of());
        for (OperationResult r : new OperationResult[] {driver.start(i), driver.stop(i), driver.monitor(i), driver.migrateFrom(i)}) {
            assertEquals(OcfCode.ERR_INSTALLED, r.code(), r.message());
            assertTrue(r.message().contains(uri) && r.message().contains("libvirtd"), r.message());
        }
    }

    @Test
    void monitor_reportsEachDomainState() throws IOException {
        String uri = nodeFile();
        assertEquals(OcfCode.SUCCESS, driver.monitor(instance(Map.of("domain", "running", "hypervisor", uri), Map.of())).code());
        assertEquals(OcfCode.SUCCESS, driver.monitor(instance(Map.of("domain", "paused", "hypervisor", uri), Map.of())).code(),
                "a paused domain is active (as during an incoming migration)");
        assertEquals(OcfCode.NOT_RUNNING, driver.monitor(instance(Map.of("domain", "shutoff", "hypervisor", uri), Map.of())).code());
        assertEquals(OcfCode.NOT_RUNNING, driver.monitor(instance(Map.of("domain", "absent", "hypervisor", uri), Map.of())).code());
        OperationResult crashed = driver.monitor(instance(Map.of("domain", "crashed", "hypervisor", uri), Map.of()));
        assertEquals(OcfCode.ERR_GENERIC, crashed.code());
        assertTrue(crashed.message().contains("crashed"), crashed.message());
    }

    @Test
    void start_predefinedDomainWithoutBlob_startsOrResumes() throws IOException {
        String uri = nodeFile();
        assertEquals(OcfCode.SUCCESS, driver.start(instance(Map.of("domain", "shutoff", "hypervisor", uri), Map.of())).code());
        assertEquals(OcfCode.SUCCESS, driver.start(instance(Map.of("domain", "paused", "hypervisor", uri), Map.of())).code());
        OperationResult absent = driver.start(instance(Map.of("domain", "absent", "hypervisor", uri), Map.of()));
        assertEquals(OcfCode.ERR_CONFIGURED, absent.code());
        assertTrue(absent.message().contains("not defined") && absent.message().contains("config-blob"), absent.message());
    }

    @Test
    void monitor_guestAgentPingWithoutAgent_failsWithHint() throws IOException {
        String uri = nodeFile();
        OperationResult r = driver.monitor(instance(Map.of("domain", "running", "hypervisor", uri, "guest-agent-ping", "true"), Map.of()));
        assertEquals(OcfCode.ERR_GENERIC, r.code());
        assertTrue(r.message().contains("guest agent"), r.message());
    }

    @Test
    void migrateTo_ofStoppedDomain_fails() throws IOException {
        String uri = nodeFile();
        Map<String, String> params = new HashMap<>(Map.of("domain", "shutoff", "hypervisor", uri));
        ResourceInstance i = new ResourceInstance("vm1", "kvm", 0, params, Map.of(), "n1", Duration.ofSeconds(30), "n2",
                Map.of("libvirt-uri", uri), Map.of());
        OperationResult r = driver.migrateTo(i);
        assertEquals(OcfCode.ERR_GENERIC, r.code());
        assertTrue(r.message().contains("shutoff") && r.message().contains("n2"), r.message());
    }

    private static String nodeFile() throws IOException {
        StringBuilder s = new StringBuilder("<node>\n");
        for (Object[] d : new Object[][] {{"running", 1}, {"paused", 3}, {"shutoff", 5}, {"crashed", 6}}) {
            s.append("<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><name>").append(d[0])
                    .append("</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os><test:runstate>").append(d[1])
                    .append("</test:runstate></domain>\n");
        }
        Path f = lab.resolve("node-" + SEQ.incrementAndGet() + ".xml");
        Files.writeString(f, s.append("</node>\n").toString());
        return "test://" + f;
    }

    static String testXml(String name) {
        return "<domain type='test'><name>" + name + "</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os></domain>";
    }

    private static String uniqueName() { return "vm" + SEQ.incrementAndGet(); }

    private static DomainState stateOf(String name) throws LibvirtException {
        Connect c = new Connect(DEFAULT);
        try {
            return c.domainLookupByName(name).getInfo().state;
        } finally {
            c.close();
        }
    }

    private static ResourceInstance instance(Map<String, String> params, Map<String, String> blobs) {
        return new ResourceInstance("vm1", "kvm", 0, params, Map.of(), "n1", Duration.ofSeconds(20), "", Map.of(), blobs);
    }

    private static boolean clientLibraryLoads() {
        try {
            new Connect(DEFAULT).close();
            return true;
        } catch (LinkageError | LibvirtException e) {
            return false;
        }
    }
}
