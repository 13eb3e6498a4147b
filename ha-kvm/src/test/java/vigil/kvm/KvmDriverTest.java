package vigil.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.libvirt.Domain.MigrateFlags;
import vigil.api.ConfigException;
import vigil.api.spi.OperationResult;
import vigil.api.spi.ResourceDriverProvider;
import vigil.api.spi.ResourceInstance;
import vigil.api.spi.ResourceMetadata;
import vigil.api.status.OcfCode;

/** Parameters, XML checks, migration options and metadata: everything decided before libvirt is called. */
class KvmDriverTest {
    private static final String XML = "<domain type='kvm'><name>vm1</name><memory unit='MiB'>64</memory></domain>";

    @Test
    void parse_defaults_whenOnlyBlobGiven() {
        KvmParams p = KvmParams.parse("vm1", Map.of("config-blob", "vm1.xml"));
        assertEquals("qemu:///system", p.hypervisor());
        assertEquals("", p.domain());
        assertEquals(0, p.migrateBandwidthMiBs());
        assertTrue(p.shutdownTimeout().isEmpty());
        assertFalse(p.autoConverge());
        assertFalse(p.guestAgentPing());
    }

    @Test
    void parse_allOptions_typed() {
        KvmParams p = KvmParams.parse("vm1", Map.of("domain", "vm1", "hypervisor", "qemu+tcp://n1/system", "shutdown-timeout", "45s",
                "migration-uri", "tcp://10.0.0.2", "migrate-bandwidth", "100", "migrate-timeout", "2min", "auto-converge", "true",
                "unsafe", "yes", "guest-agent-ping", "1"));
        assertEquals(Duration.ofSeconds(45), p.shutdownTimeout().orElseThrow());
        assertEquals(Duration.ofMinutes(2), p.migrateTimeout().orElseThrow());
        assertEquals(100, p.migrateBandwidthMiBs());
        assertTrue(p.autoConverge() && p.unsafe() && p.guestAgentPing());
    }

    @Test
    void parse_neitherDomainNorBlob_namesBothFixes() {
        ConfigException e = assertThrows(ConfigException.class, () -> KvmParams.parse("vm1", Map.of()));
        assertEquals("resources.vm1.params.domain", e.field());
        assertTrue(e.getMessage().contains("config-blob"), e.getMessage());
    }

    @Test
    void parse_unknownParameter_listsKnownOnes() {
        ConfigException e = assertThrows(ConfigException.class, () -> KvmParams.parse("vm1", Map.of("domain", "vm1", "migrate_uri", "x")));
        assertEquals("resources.vm1.params.migrate_uri", e.field());
        assertTrue(e.fix().contains("migration-uri"), e.fix());
    }

    @Test
    void parse_badValues_rejectedWithField() {
        assertEquals("resources.r.params.migrate-bandwidth",
                assertThrows(ConfigException.class, () -> KvmParams.parse("r", Map.of("domain", "d", "migrate-bandwidth", "-1"))).field());
        assertEquals("resources.r.params.migrate-bandwidth",
                assertThrows(ConfigException.class, () -> KvmParams.parse("r", Map.of("domain", "d", "migrate-bandwidth", "fast"))).field());
        assertEquals("resources.r.params.auto-converge",
                assertThrows(ConfigException.class, () -> KvmParams.parse("r", Map.of("domain", "d", "auto-converge", "maybe"))).field());
        assertEquals("resources.r.params.shutdown-timeout",
                assertThrows(ConfigException.class, () -> KvmParams.parse("r", Map.of("domain", "d", "shutdown-timeout", "soon"))).field());
        assertEquals("resources.r.params.migration-uri",
                assertThrows(ConfigException.class, () -> KvmParams.parse("r", Map.of("domain", "d", "migration-uri", "10.0.0.2"))).field());
        assertEquals("resources.r.params.hypervisor",
                assertThrows(ConfigException.class, () -> KvmParams.parse("r", Map.of("domain", "d", "hypervisor", "localhost"))).field());
    }

    @Test
    void domainXml_readsNameAndType() {
        DomainXml x = DomainXml.parse("blob b", XML);
        assertEquals("vm1", x.name());
        assertEquals("kvm", x.type());
    }

    @Test
    void domainXml_withoutUuid_getsOneDerivedFromTheName() {
        DomainXml x = DomainXml.parse("blob b", XML);
        assertEquals("", x.uuid());
        String defined = x.definableXml();
        assertTrue(defined.startsWith("<domain type='kvm'><uuid>" + DomainXml.derivedUuid("vm1") + "</uuid><name>vm1</name>"), defined);
        assertEquals(DomainXml.derivedUuid("vm1"), DomainXml.derivedUuid("vm1"));
        assertFalse(DomainXml.derivedUuid("vm1").equals(DomainXml.derivedUuid("vm2")));
        assertEquals(DomainXml.derivedUuid("vm1").toString(), DomainXml.parse("again", defined).uuid());
        String own = "<domain type='kvm'><name>vm1</name><uuid>8dcbb4ef-5cb3-4f49-bd8b-14666bec8a1a</uuid></domain>";
        assertEquals(own, DomainXml.parse("b", own).definableXml(), "an explicit uuid is kept");
    }

    @Test
    void domainXml_broken_isConfigErrorNamingSource() {
        assertEquals("blob b", assertThrows(ConfigException.class, () -> DomainXml.parse("blob b", "<domain type='kvm'><name>vm1</name>")).field());
        assertTrue(assertThrows(ConfigException.class, () -> DomainXml.parse("blob b", "<network><name>n</name></network>")).problem().contains("<network>"));
        assertTrue(assertThrows(ConfigException.class, () -> DomainXml.parse("blob b", "<domain type='kvm'/>")).problem().contains("<name>"));
        assertTrue(assertThrows(ConfigException.class, () -> DomainXml.parse("blob b", "<domain><name>x</name></domain>")).problem().contains("type"));
        assertTrue(assertThrows(ConfigException.class, () -> DomainXml.parse("blob b", " ")).problem().contains("empty"));
    }

    @Test
    void domainXml_doctype_refused() {
        String xxe = "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain type='kvm'><name>&x;</name></domain>";
        assertThrows(ConfigException.class, () -> DomainXml.parse("blob b", xxe));
    }

    @Test
    void migrationFlags_liveP2pPersistent_optionsAdded() {
        int base = Migration.flags(KvmParams.parse("r", Map.of("domain", "d")));
        int expected = MigrateFlags.LIVE | MigrateFlags.PEER2PEER | MigrateFlags.PERSIST_DEST | MigrateFlags.ABORT_ON_ERROR;
        assertEquals(expected, base);
        int all = Migration.flags(KvmParams.parse("r", Map.of("domain", "d", "auto-converge", "true", "unsafe", "true")));
        assertEquals(expected | MigrateFlags.AUTO_CONVERGE | MigrateFlags.UNSAFE, all);
        assertEquals(0, base & MigrateFlags.UNDEFINE_SOURCE, "the source keeps its definition");
        assertEquals(0, base & MigrateFlags.TUNNELED);
    }

    @Test
    void migrationDataUri_nodeAttributeWinsOverParameter() {
        KvmParams p = KvmParams.parse("r", Map.of("domain", "d", "migration-uri", "tcp://10.0.0.9"));
        assertEquals("tcp://10.0.0.9", Migration.dataUri(p, Map.of()));
        assertEquals("tcp://192.168.5.2", Migration.dataUri(p, Map.of("migration-uri", "tcp://192.168.5.2")));
        assertEquals("", Migration.dataUri(KvmParams.parse("r", Map.of("domain", "d")), Map.of()));
    }

    @Test
    void migrationTimeLimit_staysInsideTheOperationTimeout() {
        KvmParams none = KvmParams.parse("r", Map.of("domain", "d"));
        assertEquals(Duration.ofSeconds(170), Migration.timeLimit(none, Duration.ofSeconds(180)));
        KvmParams shortOne = KvmParams.parse("r", Map.of("domain", "d", "migrate-timeout", "30s"));
        assertEquals(Duration.ofSeconds(30), Migration.timeLimit(shortOne, Duration.ofSeconds(180)));
        KvmParams tooLong = KvmParams.parse("r", Map.of("domain", "d", "migrate-timeout", "10min"));
        assertEquals(Duration.ofSeconds(50), Migration.timeLimit(tooLong, Duration.ofSeconds(60)));
        assertEquals(Duration.ofSeconds(4), Migration.timeLimit(none, Duration.ofSeconds(8)));
    }

    @Test
    void shutdownTimeout_defaultTwoThirds_leavesTimeToDestroy() {
        KvmParams none = KvmParams.parse("r", Map.of("domain", "d"));
        assertEquals(Duration.ofSeconds(60), KvmDriver.shutdownTimeout(none, Duration.ofSeconds(90)));
        KvmParams longOne = KvmParams.parse("r", Map.of("domain", "d", "shutdown-timeout", "5min"));
        assertEquals(Duration.ofSeconds(85), KvmDriver.shutdownTimeout(longOne, Duration.ofSeconds(90)));
        KvmParams zero = KvmParams.parse("r", Map.of("domain", "d", "shutdown-timeout", "0"));
        assertEquals(Duration.ZERO, KvmDriver.shutdownTimeout(zero, Duration.ofSeconds(90)));
    }

    @Test
    void metadata_declaresParametersAndMigrationTimeouts() {
        ResourceMetadata m = new KvmDriver().metadata();
        assertEquals("kvm", m.type());
        for (String a : new String[] {"start", "stop", "monitor", "migrate_to", "migrate_from"}) assertTrue(m.supports(a), a);
        assertFalse(m.supports("promote"));
        assertTrue(m.parameters().stream().anyMatch(p -> p.name().equals("config-blob")));
        assertTrue(m.parameters().stream().noneMatch(p -> p.required()), "domain and config-blob are each optional, one is needed");
    }

    @Test
    void provider_registeredForModuleAndClassPath_createsKvmDriver() throws java.io.IOException {
        Module m = KvmDriverProvider.class.getModule();
        if (m.isNamed()) {
            assertTrue(m.getDescriptor().provides().stream().anyMatch(p -> p.service().equals(ResourceDriverProvider.class.getName())
                    && p.providers().contains(KvmDriverProvider.class.getName())), m.getDescriptor().toString());
        }
        try (var in = KvmDriverProvider.class.getResourceAsStream("/META-INF/services/" + ResourceDriverProvider.class.getName())) {
            assertTrue(in != null && new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).contains(KvmDriverProvider.class.getName()));
        }
        KvmDriverProvider found = new KvmDriverProvider();
        assertTrue(found.supports("kvm"));
        assertInstanceOf(KvmDriver.class, found.create("kvm"));
        assertFalse(found.supports("drbd"));
        assertThrows(IllegalArgumentException.class, () -> found.create("drbd"));
    }

    @Test
    void start_configErrors_areErrConfiguredWithoutTouchingLibvirt() {
        KvmDriver d = new KvmDriver();
        OperationResult missingBlob = d.start(instance(Map.of("config-blob", "vm1.xml"), Map.of()));
        assertEquals(OcfCode.ERR_CONFIGURED, missingBlob.code());
        assertTrue(missingBlob.message().contains("vm1.xml"), missingBlob.message());
        OperationResult mismatch = d.start(instance(Map.of("config-blob", "b", "domain", "other"), Map.of("b", XML)));
        assertEquals(OcfCode.ERR_CONFIGURED, mismatch.code());
        assertTrue(mismatch.message().contains("\"other\"") && mismatch.message().contains("\"vm1\""), mismatch.message());
        assertEquals(OcfCode.ERR_CONFIGURED, d.monitor(instance(Map.of(), Map.of())).code());
    }

    @Test
    void targetUri_nodeAttributeWins() {
        KvmParams p = KvmParams.parse("r", Map.of("domain", "d"));
        assertEquals("qemu+tls://x/system", Migration.targetUri(p, "n2", Map.of("libvirt-uri", "qemu+tls://x/system", "hostname", "h2")));
    }

    @Test
    void hypervisorWithNodePlaceholder_resolvesPerNode_andReachesTheTargetTheSameWay() {
        KvmParams p = KvmParams.parse("r", Map.of("domain", "d", "hypervisor", "qemu+unix:///system?socket=/lab/{node}/run/libvirt-sock"));
        assertEquals("qemu+unix:///system?socket=/lab/n1/run/libvirt-sock", p.hypervisorFor("n1"));
        assertEquals("qemu+unix:///system?socket=/lab/n2/run/libvirt-sock", Migration.targetUri(p, "n2", Map.of("hostname", "h2")));
        assertEquals("qemu:///system", KvmParams.parse("r", Map.of("domain", "d")).hypervisorFor("n1"));
    }

    @Test
    void targetUri_derivedFromHypervisorTransportAndHostname() {
        KvmParams ssh = KvmParams.parse("r", Map.of("domain", "d"));
        assertEquals("qemu+ssh://kvm2.example.net/system", Migration.targetUri(ssh, "kvm2", Map.of("hostname", "kvm2.example.net")));
        assertEquals("qemu+ssh://kvm2/system", Migration.targetUri(ssh, "kvm2", Map.of()));
        KvmParams tcp = KvmParams.parse("r", Map.of("domain", "d", "hypervisor", "qemu+unix:///system?socket=/run/x", "migration-transport", "tcp"));
        assertEquals("qemu+tcp://kvm2/system", Migration.targetUri(tcp, "kvm2", Map.of()));
        assertEquals("resources.r.params.migration-transport", assertThrows(ConfigException.class,
                () -> KvmParams.parse("r", Map.of("domain", "d", "migration-transport", "ssh://x"))).field());
    }

    static ResourceInstance instance(Map<String, String> params, Map<String, String> blobs) {
        return new ResourceInstance("vm1", "kvm", 0, params, Map.of(), "n1", Duration.ofSeconds(30), "", Map.of(), blobs);
    }
}
