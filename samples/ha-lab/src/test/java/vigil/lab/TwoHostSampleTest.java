package vigil.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Primitive;
import vigil.daemon.config.ConfigYaml;

/**
 * The two-host lab runs the sample file a user copies: the packaged copy is the file in samples/ha-daemon/examples, and
 * what the lab changes in it is exactly the list in {@link TwoHostSample}'s documentation, nothing more.
 */
class TwoHostSampleTest {
    private static final Path SAMPLE = Path.of("../ha-daemon/examples/kvm-drbd-two-node.yaml");

    private static String forLab() {
        return TwoHostSample.forLab(TwoHostSample.text(), new TwoHostSample.Lab(List.of(
                new TwoHostSample.Host("n1", "10.213.7.1:9870", "10.213.7.1", "10.213.7.254", 9001),
                new TwoHostSample.Host("n2", "10.213.7.2:9870", "10.213.7.2", "10.213.7.254", 9002)),
                Duration.ofSeconds(3), Path.of("/lab/drbd.d"), "qemu+unix:///system?socket=/lab/{node}/libvirt-sock", "tcp://127.0.0.1",
                "<domain type='qemu'><name>vm1</name></domain>\n", "10.213.7.100", Path.of("/lab/ipmi.password")));
    }

    @Test
    void packagedCopy_isTheSampleFile() throws Exception {
        assertEquals(Files.readString(SAMPLE), TwoHostSample.text());
    }

    @Test
    void labConfig_isAValidTwoNodeConfig_withTheSamplesResourcesConstraintsAndDevices() {
        ClusterConfig c = ConfigYaml.parse("lab", forLab());
        assertTrue(c.properties().twoNode());
        assertEquals(Duration.ofSeconds(10), c.properties().priorityFencingDelay(), "the sample's priority-fencing-delay");
        assertEquals(Duration.ofSeconds(5), c.fenceDevice("ipmi-n1").orElseThrow().delay(), "the sample's device delay");
        assertEquals(List.of("n1"), c.fenceDevice("ipmi-n1").orElseThrow().hostList());
        assertEquals("Stopped", ((Primitive) c.resource(TwoHostLab.VM).orElseThrow()).meta().get("target-role").orElseThrow(),
                "enabled by the lab as the walk-through does");
    }

    /** Every leaf the lab changes, adds or drops, by its path; a change to the sample outside these reaches the lab as is. */
    @Test
    void labChangesOnlyWhatTheLabCannotShare() throws Exception {
        Map<String, Object> sample = flat(rename(new Yaml().load(Files.readString(SAMPLE))));
        Map<String, Object> lab = flat(new Yaml().load(forLab()));
        Set<String> changed = new TreeSet<>();
        for (String k : sample.keySet()) if (!lab.containsKey(k)) changed.add("- " + k);
        for (Map.Entry<String, Object> e : lab.entrySet()) {
            if (!sample.containsKey(e.getKey())) changed.add("+ " + e.getKey());
            else if (!String.valueOf(sample.get(e.getKey())).equals(String.valueOf(e.getValue()))) changed.add("~ " + e.getKey());
        }
        assertEquals(new TreeSet<>(List.of(
                "+ nodes.n1.address", "+ nodes.n2.address",
                "~ properties.node-timeout", "+ properties.other.stonith-action",
                "~ resources.vm1-disk.promotable.params.hosts", "+ resources.vm1-disk.promotable.params.config-dir",
                "~ resources.vm1-disk.promotable.operations.0.interval", "~ resources.vm1-disk.promotable.operations.1.interval",
                "~ resources.vm1.params.hypervisor", "+ resources.vm1.params.migration-uri", "+ resources.vm1.params.shutdown-timeout",
                "~ blobs.vm1.xml",
                "~ resources.vip.params.ip", "- resources.vip.params.nic",
                "~ fence-devices.ipmi-n1.params.ip", "+ fence-devices.ipmi-n1.params.ipport", "~ fence-devices.ipmi-n1.params.password_file",
                "~ fence-devices.ipmi-n2.params.ip", "+ fence-devices.ipmi-n2.params.ipport", "~ fence-devices.ipmi-n2.params.password_file")), changed);
    }

    private static Object rename(Object yaml) {
        return new Yaml().load(new Yaml().dump(yaml).replace("kvm1", "n1").replace("kvm2", "n2"));
    }

    private static Map<String, Object> flat(Object yaml) {
        Map<String, Object> out = new TreeMap<>();
        flat("", yaml, out);
        return out;
    }

    private static void flat(String path, Object yaml, Map<String, Object> out) {
        if (yaml instanceof Map<?, ?> m) {
            m.forEach((k, v) -> flat(path.isEmpty() ? k.toString() : path + "." + k, v, out));
        } else if (yaml instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) flat(path + "." + i, l.get(i), out);
        } else {
            out.put(path, yaml);
        }
    }
}
