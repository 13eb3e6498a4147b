package vigil.engine.scheduler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import vigil.api.model.Primitive;
import vigil.api.status.OcfCode;
import vigil.api.status.OperationRecord;
import vigil.api.status.ResourceState;

/**
 * A resource whose parameters changed since it started is restarted where it runs ("due to resource definition
 * change"), as Pacemaker does when the digest of the parameters an operation ran with (recorded with the operation)
 * no longer matches the configuration. The digest is Pacemaker's: the MD5 of {@code <parameters name="value" .../>}
 * with the resource's instance attributes sorted by name (the form its CIBs record as {@code op-digest}).
 *
 * <p>Only operations that carry a digest are checked: those of imported CIBs (Vigil's executor records none). An
 * operation whose agent can reload ({@code op-restart-digest} recorded) restarts only for a parameter it cannot
 * reload ({@code op-force-restart}); Pacemaker reloads it for the others, Vigil leaves it running as it is. Values
 * {@code #default} count as unset, and secret parameters as the secure digest leaves them out (see {@link #changed}).
 */
final class ParameterChanges {
    static final String REASON = "resource definition change";

    private ParameterChanges() {}

    static void check(WorkingSet ws) {
        if (!ws.anyStartDigest) return;
        for (Rsc top : ws.resources) {
            List<Rsc> primitives = top.primitives();
            for (int i = 0; i < primitives.size(); i++) check(ws, primitives.get(i));
        }
    }

    private static void check(WorkingSet ws, Rsc rsc) {
        if (!rsc.managed || rsc.orphan || rsc.blocked || !(rsc.config instanceof Primitive p)) return;
        SchedNode node = rsc.assigned;
        if (node == null || rsc.runningOn.size() != 1 || rsc.runningOn.get(0) != node) return;
        ResourceState rs = ws.record(rsc.unique || rsc.cloneParent() == null ? rsc.id : rsc.configId, node.id);
        if (rs == null) return; // no record: nothing it ran with
        OperationRecord start = lastStart(rs.operations());
        if (start == null || start.digests() == null) return;
        if (!changed(start.digests(), p.params(), p.type().startsWith("stonith:"))) return;
        Act a = ws.action(rsc, "start", node, false);
        PrimitiveActions.setReason(a, REASON, true);
    }

    /** Whether the record's last start recorded the digest of the parameters it ran with. */
    static boolean recordsDigest(ResourceState rs) {
        OperationRecord start = lastStart(rs.operations());
        return start != null && start.digests() != null;
    }

    /** The operation that last made or found the resource active there (a start, migrate_from, or probe). */
    private static OperationRecord lastStart(List<OperationRecord> ops) {
        for (int i = ops.size() - 1; i >= 0; i--) {
            OperationRecord op = ops.get(i);
            if (!op.interval().isZero()) continue;
            boolean started = (op.action().equals("start") || op.action().equals("migrate_from")) && op.code() == OcfCode.SUCCESS;
            boolean found = op.action().equals("monitor") && (op.code() == OcfCode.SUCCESS || op.code() == OcfCode.RUNNING_PROMOTED);
            if (started || found) return op;
        }
        return null;
    }

    /**
     * Whether the parameters differ from those the operation ran with. A CIB may hold the secret parameters masked
     * (crm_report and the test inputs do): when every parameter but the secret ones still matches, nothing changed.
     */
    static boolean changed(OperationRecord.Digests recorded, Map<String, String> params, boolean fenceDevice) {
        Map<String, String> set = new TreeMap<>(params);
        set.values().removeIf("#default"::equals); // "as if unset"
        if (recorded.restart() != null) {
            // an agent that can reload: only a change of a parameter it cannot reload needs a restart (the others a
            // reload, which Vigil does not do)
            Map<String, String> restart = new TreeMap<>(set);
            if (recorded.forceRestart() != null) restart.keySet().retainAll(recorded.forceRestart());
            return !recorded.restart().equals(digest(restart));
        }
        if (recorded.all().equals(digest(set))) return false;
        if (recorded.secure() == null) return true;
        set.keySet().removeAll(recorded.secureParams());
        if (fenceDevice) set.keySet().removeIf(k -> k.startsWith("pcmk_")); // the fencer's own parameters are left out too
        return !recorded.secure().equals(digest(set));
    }

    /** Pacemaker's digest of a non-recurring operation's parameters. */
    static String digest(Map<String, String> params) {
        StringBuilder sb = new StringBuilder(" <parameters");
        for (var e : new TreeMap<>(params).entrySet()) sb.append(' ').append(e.getKey()).append("=\"").append(escape(e.getValue())).append('"');
        sb.append("/>\n");
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every Java runtime", e);
        }
    }

    private static String escape(String v) {
        return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
