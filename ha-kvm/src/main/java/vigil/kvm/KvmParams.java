package vigil.kvm;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import vigil.api.ConfigException;
import vigil.api.model.Durations;
import vigil.api.spi.ParameterSpec;

/**
 * The {@code kvm} driver's instance parameters, parsed and checked. Names follow ocf:heartbeat:VirtualDomain
 * where it has an equivalent ({@code hypervisor}, {@code migrateuri} became {@code migration-uri} ...).
 */
record KvmParams(String domain, String configBlob, String hypervisor, Optional<Duration> shutdownTimeout, String migrationTransport, String migrationUri,
                 long migrateBandwidthMiBs, Optional<Duration> migrateTimeout, boolean autoConverge, boolean unsafe,
                 boolean guestAgentPing) {

    static final String DEFAULT_HYPERVISOR = "qemu:///system";
    static final String NODE_PLACEHOLDER = "{node}";

    /** The hypervisor URI on node {@code node}. */
    String hypervisorFor(String node) { return hypervisor.replace(NODE_PLACEHOLDER, node); }

    boolean hypervisorPerNode() { return hypervisor.contains(NODE_PLACEHOLDER); }

    static final List<ParameterSpec> SPECS = List.of(
            new ParameterSpec("domain", false, false, "",
                    "Name of the libvirt domain. Optional when config-blob holds the XML (its <name> is used); must match it otherwise."),
            new ParameterSpec("config-blob", false, false, "",
                    "Name of the cluster blob holding the domain XML. The XML is defined on the node before every start, so "
                            + "every node runs the same definition without copying files around."),
            new ParameterSpec("hypervisor", false, false, DEFAULT_HYPERVISOR,
                    "libvirt URI of the local hypervisor. " + NODE_PLACEHOLDER + " stands for the node's id, for nodes whose URIs differ "
                            + "only by it (e.g. a unix socket path per node); the target of a migration is then reached the same way."),
            new ParameterSpec("shutdown-timeout", false, false, "",
                    "How long stop waits for a graceful (ACPI) shutdown before destroying the domain. Default: two thirds of the stop timeout."),
            new ParameterSpec("migration-transport", false, false, "ssh",
                    "Transport to the target's libvirtd (ssh, tcp, tls, libssh) when the target node has no libvirt-uri attribute: "
                            + "the URI is then the hypervisor URI with this transport and the node's hostname attribute (or its id) as host."),
            new ParameterSpec("migration-uri", false, false, "",
                    "Migration data URI such as tcp://10.0.0.2, used unless the target node has a migration-uri attribute. "
                            + "Default: libvirt picks the target's hostname."),
            new ParameterSpec("migrate-bandwidth", false, false, "0", "Migration bandwidth limit in MiB/s; 0 is unlimited."),
            new ParameterSpec("migrate-timeout", false, false, "",
                    "Abort a live migration still running after this long (the domain keeps running on the source). "
                            + "Default: the migrate_to timeout minus 10s."),
            new ParameterSpec("auto-converge", false, false, "false", "Throttle the guest's vCPUs when a live migration does not converge."),
            new ParameterSpec("unsafe", false, false, "false",
                    "Migrate even where libvirt considers it unsafe (disk cache modes on replicated disks that libvirt cannot see as shared)."),
            new ParameterSpec("guest-agent-ping", false, false, "false",
                    "Monitor also pings the QEMU guest agent; no answer is a monitor failure."));

    private static final TreeSet<String> KNOWN = new TreeSet<>();

    static {
        for (ParameterSpec p : SPECS) KNOWN.add(p.name());
    }

    /** Parses {@code params} of resource {@code resource}; throws a {@link ConfigException} naming the parameter. */
    static KvmParams parse(String resource, Map<String, String> params) {
        for (String k : params.keySet()) {
            if (!KNOWN.contains(k)) {
                throw new ConfigException(field(resource, k), "unknown parameter of the kvm driver", "use one of " + String.join(", ", KNOWN));
            }
        }
        String domain = params.getOrDefault("domain", "").strip();
        String blob = params.getOrDefault("config-blob", "").strip();
        if (domain.isEmpty() && blob.isEmpty()) {
            throw new ConfigException(field(resource, "domain"), "neither domain nor config-blob is set",
                    "set config-blob to the blob holding the domain XML, or domain to a domain defined on every node");
        }
        String hypervisor = params.getOrDefault("hypervisor", DEFAULT_HYPERVISOR).strip();
        if (!hypervisor.matches("[a-z][a-z0-9+]*://[^/]*/.*")) {
            throw new ConfigException(field(resource, "hypervisor"), "not a libvirt URI: \"" + hypervisor + "\"", "use e.g. " + DEFAULT_HYPERVISOR);
        }
        String transport = params.getOrDefault("migration-transport", "ssh").strip();
        if (!transport.matches("[a-z][a-z0-9]*")) {
            throw new ConfigException(field(resource, "migration-transport"), "not a libvirt transport: \"" + transport + "\"", "use ssh, tcp, tls or libssh");
        }
        String migrationUri = params.getOrDefault("migration-uri", "").strip();
        if (!migrationUri.isEmpty() && !migrationUri.matches("[a-z][a-z0-9+.-]*://.+")) {
            throw new ConfigException(field(resource, "migration-uri"), "not a migration URI: \"" + migrationUri + "\"", "use e.g. tcp://10.0.0.2");
        }
        long bandwidth;
        String bw = params.getOrDefault("migrate-bandwidth", "0").strip();
        try {
            bandwidth = Long.parseLong(bw);
        } catch (NumberFormatException e) {
            throw new ConfigException(field(resource, "migrate-bandwidth"), "not a number: \"" + bw + "\"", "give MiB/s as an integer, 0 for unlimited");
        }
        if (bandwidth < 0) throw new ConfigException(field(resource, "migrate-bandwidth"), "must be >= 0, got " + bandwidth, "0 means unlimited");
        return new KvmParams(domain, blob, hypervisor, duration(resource, params, "shutdown-timeout"), transport, migrationUri, bandwidth,
                duration(resource, params, "migrate-timeout"), bool(resource, params, "auto-converge"), bool(resource, params, "unsafe"),
                bool(resource, params, "guest-agent-ping"));
    }

    private static Optional<Duration> duration(String resource, Map<String, String> params, String key) {
        String v = params.getOrDefault(key, "").strip();
        if (v.isEmpty()) return Optional.empty();
        Duration d = Durations.parse(field(resource, key), v);
        if (d.isNegative()) throw new ConfigException(field(resource, key), "must not be negative, got " + v, "");
        return Optional.of(d);
    }

    private static boolean bool(String resource, Map<String, String> params, String key) {
        String v = params.getOrDefault(key, "false").strip().toLowerCase(Locale.ROOT);
        switch (v) {
            case "true": case "yes": case "on": case "1": return true;
            case "false": case "no": case "off": case "0": case "": return false;
            default: throw new ConfigException(field(resource, key), "not a boolean: \"" + v + "\"", "use true or false");
        }
    }

    private static String field(String resource, String key) { return "resources." + resource + ".params." + key; }
}
