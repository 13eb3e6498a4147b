package vigil.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The two-host sample config, {@code samples/ha-daemon/examples/kvm-drbd-two-node.yaml} (packaged into the lab at build
 * time, so the lab runs the file a user copies, not a config of its shape), made to run on {@link TwoHostLab}. Only
 * what two hosts on one machine cannot share with a real deployment changes:
 * <ol>
 * <li>the hosts {@code kvm1}, {@code kvm2} are the lab's {@code n1}, {@code n2} (in names, ids and host lists);</li>
 * <li>a {@code nodes} section, which {@code vigil init} / {@code vigil join} make on real hosts;</li>
 * <li>{@code node-timeout} as the lab's user asks; {@code stonith-action: off}: a fenced host stays off until the lab
 * powers it on (a reboot would bring it back at once);</li>
 * <li>DRBD: the lab's replication addresses and its own directory for the resource files; monitors every 2 s / 3 s
 * instead of 29 s / 31 s, so that a test sees the disks' state change quickly;</li>
 * <li>the VM: the lab's libvirtd of each host and migration over {@code tcp://127.0.0.1}; the guest is the lab's (no
 * disk, no bridge, no operating system to answer an ACPI shutdown, so {@code shutdown-timeout: 0});</li>
 * <li>the VIP: an address of the lab network; no {@code nic} ({@code br0} is the hosts' bridge in the sample), so
 * IPaddr2 finds the interface from the address;</li>
 * <li>the fence devices: the lab's BMCs ({@code ipmi_sim}: address, port, password file).</li>
 * </ol>
 * Everything else, constraints, stickiness, fence delays, {@code priority-fencing-delay}, the VM's operations and its
 * {@code target-role: Stopped} (the lab enables it as the walk-through does), is the file's.
 */
final class TwoHostSample {
    /** The sample file as packaged with the lab. */
    static final String RESOURCE = "/vigil/lab/kvm-drbd-two-node.yaml";

    /** One lab host: where its daemon listens, where its replica replicates, its BMC. */
    record Host(String node, String raftAddress, String drbdAddress, String bmcHost, int bmcPort) {}

    /** What the lab puts in place of the real hosts'. */
    record Lab(List<Host> hosts, Duration nodeTimeout, Path drbdConfigDir, String hypervisorUri, String migrationUri, String guestXml,
            String vip, Path bmcPasswordFile) {}

    private TwoHostSample() {}

    /** The sample file's text. */
    static String text() {
        try (InputStream in = TwoHostSample.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is not on the class path: the lab's build copies it from samples/ha-daemon/examples");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sample made to run on {@code lab}, as the YAML a daemon reads as its first cluster config. */
    static String forLab(String sample, Lab lab) {
        if (lab.hosts().size() != 2) throw new IllegalArgumentException("two hosts, got " + lab.hosts().size());
        Map<String, String> names = Map.of("kvm1", lab.hosts().get(0).node(), "kvm2", lab.hosts().get(1).node());
        Object loaded = new Yaml().load(sample);
        Map<String, Object> c = map(renamed(loaded, names));

        Map<String, Object> nodes = new LinkedHashMap<>();
        for (Host h : lab.hosts()) nodes.put(h.node(), new LinkedHashMap<>(Map.of("address", h.raftAddress())));
        c.put("nodes", nodes);

        Map<String, Object> properties = map(c.get("properties"));
        properties.put("node-timeout", lab.nodeTimeout().toMillis() + "ms");
        map(properties.get("other")).put("stonith-action", "off");

        Map<String, Object> resources = map(c.get("resources"));
        Map<String, Object> drbd = map(map(resources.get(TwoHostLab.DISK)).get("promotable"));
        Map<String, Object> drbdParams = map(drbd.get("params"));
        drbdParams.put("hosts", String.join(",", lab.hosts().stream().map(h -> h.node() + ":" + h.drbdAddress()).toList()));
        drbdParams.put("config-dir", lab.drbdConfigDir().toString());
        for (Object op : list(drbd.get("operations"))) {
            Map<String, Object> o = map(op);
            if ("monitor".equals(o.get("name"))) o.put("interval", "Promoted".equals(o.get("role")) ? "2s" : "3s");
        }

        Map<String, Object> vmParams = map(map(resources.get(TwoHostLab.VM)).get("params"));
        vmParams.put("hypervisor", lab.hypervisorUri());
        vmParams.put("migration-uri", lab.migrationUri());
        vmParams.put("shutdown-timeout", "0");
        map(c.get("blobs")).put(vmParams.get("config-blob").toString(), lab.guestXml());

        Map<String, Object> vipParams = map(map(resources.get(TwoHostLab.VIP)).get("params"));
        vipParams.put("ip", lab.vip());
        vipParams.remove("nic");

        Map<String, Object> devices = map(c.get("fence-devices"));
        for (Host h : lab.hosts()) {
            Map<String, Object> params = map(map(devices.values().stream().filter(d -> list(map(d).get("host-list")).equals(List.of(h.node())))
                    .findFirst().orElseThrow(() -> new IllegalStateException("the sample has no fence device for " + h.node()))).get("params"));
            params.put("ip", h.bmcHost());
            params.put("ipport", h.bmcPort());
            params.put("password_file", lab.bmcPasswordFile().toString());
        }

        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setWidth(200);
        return new Yaml(o).dump(c);
    }

    /** {@code yaml} with every key and string value in which a name of {@code names} occurs renamed. */
    private static Object renamed(Object yaml, Map<String, String> names) {
        if (yaml instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(renamedText(k.toString(), names), renamed(v, names)));
            return out;
        }
        if (yaml instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(renamed(v, names)));
            return out;
        }
        return yaml instanceof String s ? renamedText(s, names) : yaml;
    }

    private static String renamedText(String s, Map<String, String> names) {
        for (Map.Entry<String, String> n : names.entrySet()) s = s.replace(n.getKey(), n.getValue());
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        if (o instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IllegalStateException("the two-host sample changed shape: a section the lab fills in is not a map but " + o);
    }

    private static List<?> list(Object o) { return o instanceof List<?> l ? l : List.of(); }
}
