package vigil.engine.ocf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import vigil.api.ConfigException;
import vigil.api.VigilException;
import vigil.api.model.Durations;
import vigil.api.model.Secrets;
import vigil.api.spi.OperationResult;
import vigil.api.spi.ProcessRunner;
import vigil.api.spi.ProcessRunner.ProcessResult;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceInstance;
import vigil.api.spi.ResourceMetadata;
import vigil.api.status.OcfCode;

/**
 * Runs an OCF resource agent ({@code ocf:<provider>:<agent>}, the script {@code <OCF_ROOT>/resource.d/<provider>/<agent>})
 * the way Pacemaker's executor does: one process per action with the OCF environment, the exit code as the result.
 *
 * <p>Operation attributes travel in the instance's meta map and reach the agent as {@code OCF_RESKEY_CRM_meta_<key>}
 * (dashes become underscores): the executor sets {@code interval} (milliseconds) for monitors; a clone instance carries
 * its clone's meta ({@code clone-max}, {@code globally-unique}, {@code promotable}, ...) and notifications their
 * {@code notify_*} lists. See https://github.com/ClusterLabs/OCF-spec/blob/main/ra/1.1/resource-agent-api.md
 */
public final class OcfDriver implements ResourceDriver {
    public static final Path DEFAULT_ROOT = Path.of("/usr/lib/ocf");
    /** Pacemaker's feature set we claim: agents at or above 3.10 set promotion scores with {@code crm_attribute -p}. */
    static final String CRM_FEATURE_SET = "3.19.0";
    static final Duration METADATA_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(OcfDriver.class);

    private final String type;
    private final String provider;
    private final String agent;
    private final Path root;
    private final Path agentPath;
    private final ProcessRunner runner;
    /** The promotion score scripts, installed when an action first runs (reading meta-data needs none). */
    private final Supplier<ToolShims> shims;
    private volatile CachedMetadata cached;

    /** Either the parsed meta-data or why it could not be had, for one version (mtime) of the agent file. */
    private record CachedMetadata(long modified, OcfAgentMetadata metadata, String error) {}

    OcfDriver(String type, Path root, ProcessRunner runner, Supplier<ToolShims> shims) {
        String[] parts = parseType(type);
        this.type = type;
        this.provider = parts[0];
        this.agent = parts[1];
        this.root = root;
        this.agentPath = agentPath(root, provider, agent);
        this.runner = runner;
        this.shims = shims;
    }

    public static boolean isOcfType(String type) { return type != null && type.startsWith("ocf:"); }

    /** {@code ocf:heartbeat:Dummy} -> {@code [heartbeat, Dummy]}. */
    static String[] parseType(String type) {
        String[] p = type.split(":", -1);
        if (p.length != 3 || !p[0].equals("ocf") || !safeName(p[1]) || !safeName(p[2])) {
            throw new ConfigException("type", "invalid OCF resource type \"" + type + "\"",
                    "write ocf:<provider>:<agent>, e.g. ocf:heartbeat:Dummy, with no '/' in provider or agent");
        }
        return new String[] {p[1], p[2]};
    }

    private static boolean safeName(String s) {
        return !s.isEmpty() && !s.contains("/") && !s.equals(".") && !s.equals("..");
    }

    static Path agentPath(Path root, String provider, String agent) {
        return root.resolve("resource.d").resolve(provider).resolve(agent);
    }

    static List<String> argv(Path agent, String action) { return List.of(agent.toString(), action); }

    /** OCF 1.1's instance name: the primitive id, with {@code :<n>} for instances of globally-unique clones. */
    static String instanceName(ResourceInstance inst) {
        Map<String, String> m = inst.meta();
        boolean clone = m.containsKey("clone-max") || m.containsKey("clone");
        boolean unique = isTrue(m.get("globally-unique"));
        return clone && unique ? inst.resource() + ":" + inst.instance() : inst.resource();
    }

    /**
     * The environment for one action (pure; the shim's variables are added when it runs).
     * Parameters become {@code OCF_RESKEY_<name>}, meta attributes {@code OCF_RESKEY_CRM_meta_<name>}.
     */
    static Map<String, String> environment(Path root, String provider, String agent, ResourceInstance inst, String action) {
        Map<String, String> env = new TreeMap<>();
        env.put("OCF_ROOT", root.toString());
        env.put("OCF_RA_VERSION_MAJOR", "1");
        env.put("OCF_RA_VERSION_MINOR", "1");
        env.put("OCF_RESOURCE_INSTANCE", instanceName(inst));
        env.put("OCF_RESOURCE_TYPE", agent);
        env.put("OCF_RESOURCE_PROVIDER", provider);
        env.put("OCF_RESKEY_crm_feature_set", CRM_FEATURE_SET);
        env.put("HA_LOGFACILITY", "none");
        env.put("HA_LOGFILE", "");
        env.put("HA_DEBUGLOG", "");
        inst.params().forEach((k, v) -> env.put("OCF_RESKEY_" + k, v));
        inst.meta().forEach((k, v) -> env.put("OCF_RESKEY_CRM_meta_" + k.replace('-', '_'), v));
        env.putIfAbsent("OCF_RESKEY_CRM_meta_interval", "0");
        env.put("OCF_RESKEY_CRM_meta_name", action);
        env.put("OCF_RESKEY_CRM_meta_timeout", Long.toString(inst.timeout().toMillis()));
        env.put("OCF_RESKEY_CRM_meta_on_node", inst.localNode());
        env.put("OCF_RESKEY_CRM_meta_on_node_uuid", inst.localNode());
        if (inst.meta().containsKey("clone-max") || inst.meta().containsKey("clone")) {
            env.put("OCF_RESKEY_CRM_meta_clone", Integer.toString(inst.instance()));
        }
        if (action.equals("migrate_to")) {
            env.put("OCF_RESKEY_CRM_meta_migrate_source", inst.localNode());
            env.put("OCF_RESKEY_CRM_meta_migrate_target", inst.peerNode());
        } else if (action.equals("migrate_from")) {
            env.put("OCF_RESKEY_CRM_meta_migrate_source", inst.peerNode());
            env.put("OCF_RESKEY_CRM_meta_migrate_target", inst.localNode());
        }
        return env;
    }

    /** Maps an agent's exit to an OCF code; codes the OCF API does not define count as generic errors. */
    static OcfCode code(ProcessResult r) {
        if (r.timedOut()) return OcfCode.TIMEOUT;
        OcfCode c = OcfCode.of(r.exitCode());
        return c.code() == r.exitCode() ? c : OcfCode.ERR_GENERIC;
    }

    /** The agent's {@code ocf_exit_reason}, else its last line of error output. */
    static String reason(ProcessResult r) {
        String last = "";
        for (String line : (r.stderr() + "\n" + r.stdout()).split("\n")) {
            String l = line.trim();
            if (l.startsWith("ocf-exit-reason:")) return l.substring("ocf-exit-reason:".length()).trim();
        }
        for (String line : r.stderr().split("\n")) if (!line.isBlank()) last = line.trim();
        return last;
    }

    public String type() { return type; }

    public Path agentPath() { return agentPath; }

    @Override
    public OperationResult start(ResourceInstance instance) {
        OperationResult invalid = checkRequired(instance);
        return invalid != null ? invalid : run("start", instance, Map.of());
    }

    @Override
    public OperationResult stop(ResourceInstance instance) { return run("stop", instance, Map.of()); }

    @Override
    public OperationResult monitor(ResourceInstance instance) { return run("monitor", instance, Map.of()); }

    @Override
    public OperationResult promote(ResourceInstance instance) { return run("promote", instance, Map.of()); }

    @Override
    public OperationResult demote(ResourceInstance instance) { return run("demote", instance, Map.of()); }

    @Override
    public OperationResult migrateTo(ResourceInstance instance) { return run("migrate_to", instance, Map.of()); }

    @Override
    public OperationResult migrateFrom(ResourceInstance instance) { return run("migrate_from", instance, Map.of()); }

    @Override
    public OperationResult notify(ResourceInstance instance, String type, String operation) {
        return run("notify", instance, Map.of("OCF_RESKEY_CRM_meta_notify_type", type, "OCF_RESKEY_CRM_meta_notify_operation", operation));
    }

    /** Any other action the agent implements ({@code validate-all}, {@code reload}, ...). */
    public OperationResult run(String action, ResourceInstance instance) { return run(action, instance, Map.of()); }

    @Override
    public ResourceMetadata metadata() { return agentMetadata().toResourceMetadata(type); }

    /** The agent's parsed meta-data, cached until the agent file changes. */
    public OcfAgentMetadata agentMetadata() { return agentMetadata(METADATA_TIMEOUT); }

    private OcfAgentMetadata agentMetadata(Duration timeout) {
        long modified = modified();
        CachedMetadata c = cached;
        if (c != null && c.modified() == modified) {
            if (c.metadata() != null) return c.metadata();
            throw new VigilException(c.error());
        }
        if (modified < 0) throw new VigilException(notInstalled());
        Map<String, String> env = new TreeMap<>();
        env.put("OCF_ROOT", root.toString());
        env.put("OCF_RA_VERSION_MAJOR", "1");
        env.put("OCF_RA_VERSION_MINOR", "1");
        env.put("OCF_RESOURCE_INSTANCE", agent);
        env.put("OCF_RESOURCE_TYPE", agent);
        env.put("OCF_RESOURCE_PROVIDER", provider);
        env.put("HA_LOGFACILITY", "none");
        env.put("HA_SBIN_DIR", shims.get().dir().toString());
        ProcessResult r = runner.run(argv(agentPath, "meta-data"), env, "", timeout);
        if (!r.ok()) {
            String error = type + ": meta-data failed (" + (r.timedOut() ? "timed out after " + Durations.format(timeout)
                    : "exit " + r.exitCode()) + "): " + r.stderr().strip() + "; run " + agentPath + " meta-data by hand to see why";
            // an agent that cannot describe itself is asked again only once its file changes (a slow one: every time)
            if (!r.timedOut()) cached = new CachedMetadata(modified, null, error);
            throw new VigilException(error);
        }
        OcfAgentMetadata md;
        try {
            md = OcfAgentMetadata.parse(type, r.stdout());
        } catch (VigilException e) {
            cached = new CachedMetadata(modified, null, e.getMessage());
            throw e;
        }
        cached = new CachedMetadata(modified, md, "");
        return md;
    }

    private long modified() {
        try {
            return Files.getLastModifiedTime(agentPath).toMillis();
        } catch (IOException e) {
            return -1;
        }
    }

    private String notInstalled() {
        return type + ": agent not found at " + agentPath + " (install the package that ships it, e.g. resource-agents or "
                + "pacemaker-resource-agents, or set the OCF root with -Dvigil.ocf.root)";
    }

    private OperationResult checkRequired(ResourceInstance instance) {
        OcfAgentMetadata md;
        try {
            // the check must not eat the start's own time budget
            Duration budget = instance.timeout().dividedBy(4);
            md = agentMetadata(budget.compareTo(METADATA_TIMEOUT) < 0 ? budget : METADATA_TIMEOUT);
        } catch (VigilException e) {
            return null; // the agent itself reports what is wrong when it runs
        }
        List<String> missing = new ArrayList<>();
        for (OcfAgentMetadata.Parameter p : md.parameters()) {
            if (p.required() && instance.param(p.name(), "").isEmpty()) missing.add(p.name());
        }
        if (missing.isEmpty()) return null;
        return OperationResult.of(OcfCode.ERR_CONFIGURED, instance.resource() + ": " + type + " requires parameter"
                + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing) + "; set it in the resource's params");
    }

    private OperationResult run(String action, ResourceInstance inst, Map<String, String> extra) {
        if (!Files.isExecutable(agentPath)) {
            String msg = notInstalled();
            LOG.warn("{}: {} on {} -> ERR_INSTALLED: {}", inst.resource(), action, inst.localNode(), msg);
            return OperationResult.of(OcfCode.ERR_INSTALLED, msg);
        }
        Map<String, String> env = new LinkedHashMap<>(environment(root, provider, agent, inst, action));
        env.putAll(extra);
        String instanceName = env.get("OCF_RESOURCE_INSTANCE");
        Path scores = shims.get().scoreFile(instanceName);
        long before = ToolShims.size(scores);
        env.put("HA_SBIN_DIR", shims.get().dir().toString());
        env.put("PATH", shims.get().dir() + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        env.put(ToolShims.FILE_ENV, scores.toString());

        ProcessResult r = runner.run(argv(agentPath, action), env, "", inst.timeout());
        OcfCode code = code(r);
        Map<String, String> secrets = secretParams(inst);
        String message;
        if (r.timedOut()) {
            message = action + " timed out after " + Durations.format(inst.timeout()) + " and was killed";
        } else {
            message = Secrets.scrub(reason(r), secrets);
            if (code == OcfCode.ERR_GENERIC && OcfCode.of(r.exitCode()).code() != r.exitCode()) {
                message = "agent exited with " + r.exitCode() + ", which OCF does not define" + (message.isEmpty() ? "" : ": " + message);
            }
        }
        OptionalInt score = ToolShims.scoreWrittenAfter(scores, before);
        log(inst, action, code, r, secrets);
        return new OperationResult(code, message, score);
    }

    private Map<String, String> secretParams(ResourceInstance inst) {
        Map<String, String> out = new TreeMap<>();
        CachedMetadata c = cached;
        inst.params().forEach((k, v) -> {
            boolean declared = c != null && c.metadata() != null && c.metadata().parameter(k).map(OcfAgentMetadata.Parameter::secret).orElse(false);
            // Secrets.scrub masks by key name: give declared secrets a key it recognizes
            out.put(declared && !Secrets.isSecret(k) ? "secret." + k : k, v);
        });
        return out;
    }

    private static void log(ResourceInstance inst, String action, OcfCode code, ProcessResult r, Map<String, String> secrets) {
        boolean expected = code == OcfCode.SUCCESS || code == OcfCode.RUNNING_PROMOTED
                || (action.equals("monitor") && code == OcfCode.NOT_RUNNING);
        Level level = !expected ? Level.WARN : action.equals("monitor") ? Level.DEBUG : Level.INFO;
        if (!LOG.isEnabledForLevel(level)) return;
        String output = Secrets.scrub((r.stdout().strip() + "\n" + r.stderr().strip()).strip(), secrets).replace('\n', '|');
        String interval = inst.meta().getOrDefault("interval", "0");
        String every = interval.equals("0") ? "" : " (every " + interval + " ms)";
        LOG.atLevel(level).log("{}: {}{} on {} -> {} (rc={}) in {} ms{}{}", inst.resource(), action, every, inst.localNode(), code, r.exitCode(),
                r.took().toMillis(), output.isEmpty() ? "" : "; output: ", output);
    }

    private static boolean isTrue(String v) {
        return v != null && (v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("yes"));
    }
}
