package vigil.engine.executor;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import vigil.api.model.Clone;
import vigil.api.model.Maps;
import vigil.api.model.Primitive;

/**
 * One operation the leader asks a node to run, stamped with the leader's Raft term.
 *
 * @param requestId  the caller's id for it, echoed in the result
 * @param term       the leader's term; the executor refuses terms older than the newest it has seen
 * @param resource   the primitive's configuration (type, params, meta, operation definitions)
 * @param instance   the clone instance number (0 for a plain primitive)
 * @param action     what to run
 * @param interval   for {@code MONITOR}: zero for a one-shot probe, else the recurring interval
 * @param timeout    {@code null}: the primitive's operation definition, else the driver's default, else 20 s
 * @param peerNode   migrate_to: the target; migrate_from: the source
 * @param meta       extra meta attributes for the driver: the clone's meta ({@code clone-max}, {@code promotable}, ...),
 *                   notification lists ({@code notify_start_uname}, ...); override the primitive's
 * @param notifyType for {@code NOTIFY}: {@code pre} or {@code post}; {@code notifyOperation} the notified action
 */
public record ActionRequest(String requestId, long term, Primitive resource, int instance, ResourceAction action, Duration interval,
                            Duration timeout, String peerNode, Map<String, String> peerAttributes, Map<String, String> meta,
                            Map<String, String> blobs, String notifyType, String notifyOperation) {
    public ActionRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(action, "action");
        if (instance < 0) throw new IllegalArgumentException(resource.id() + ": clone instance must be >= 0, got " + instance);
        interval = interval == null ? Duration.ZERO : interval;
        if (interval.isNegative()) throw new IllegalArgumentException(resource.id() + ": interval must be >= 0, got " + interval);
        if (!interval.isZero() && action != ResourceAction.MONITOR) {
            throw new IllegalArgumentException(resource.id() + ": only monitor can recur, got " + action + " every " + interval);
        }
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            throw new IllegalArgumentException(resource.id() + ": " + action + " timeout must be > 0, got " + timeout);
        }
        peerNode = peerNode == null ? "" : peerNode;
        peerAttributes = Maps.sorted(peerAttributes);
        meta = Maps.sorted(meta);
        blobs = Maps.sorted(blobs);
        notifyType = notifyType == null ? "" : notifyType;
        notifyOperation = notifyOperation == null ? "" : notifyOperation;
    }

    public static ActionRequest of(String requestId, long term, Primitive resource, ResourceAction action) {
        return new ActionRequest(requestId, term, resource, 0, action, Duration.ZERO, null, "", Map.of(), Map.of(), Map.of(), "", "");
    }

    /** A one-shot monitor that finds out whether the resource runs here. */
    public static ActionRequest probe(String requestId, long term, Primitive resource) {
        return of(requestId, term, resource, ResourceAction.MONITOR);
    }

    public ActionRequest withInterval(Duration d) {
        return new ActionRequest(requestId, term, resource, instance, action, d, timeout, peerNode, peerAttributes, meta, blobs, notifyType, notifyOperation);
    }

    public ActionRequest withTimeout(Duration d) {
        return new ActionRequest(requestId, term, resource, instance, action, interval, d, peerNode, peerAttributes, meta, blobs, notifyType, notifyOperation);
    }

    public ActionRequest withPeer(String node, Map<String, String> attributes) {
        return new ActionRequest(requestId, term, resource, instance, action, interval, timeout, node, attributes, meta, blobs, notifyType, notifyOperation);
    }

    public ActionRequest withMeta(Map<String, String> m) {
        return new ActionRequest(requestId, term, resource, instance, action, interval, timeout, peerNode, peerAttributes, m, blobs, notifyType, notifyOperation);
    }

    public ActionRequest withBlobs(Map<String, String> b) {
        return new ActionRequest(requestId, term, resource, instance, action, interval, timeout, peerNode, peerAttributes, meta, b, notifyType, notifyOperation);
    }

    public ActionRequest withNotify(String type, String operation) {
        return new ActionRequest(requestId, term, resource, instance, action, interval, timeout, peerNode, peerAttributes, meta, blobs, type, operation);
    }

    /** Runs as instance {@code n} of {@code clone}: its meta (and {@code promotable=true} for a promotable clone) reach the driver. */
    public ActionRequest asCloneInstance(Clone clone, int n) {
        Map<String, String> m = new TreeMap<>(clone.meta().values());
        m.putIfAbsent("clone-max", "1");
        if (clone.promotable()) m.put("promotable", "true");
        m.putAll(meta);
        return new ActionRequest(requestId, term, resource, n, action, interval, timeout, peerNode, peerAttributes, m, blobs, notifyType, notifyOperation);
    }

    /** The meta attributes the driver sees: the primitive's, then this request's. */
    public Map<String, String> effectiveMeta() {
        Map<String, String> m = new TreeMap<>(resource.meta().values());
        m.putAll(meta);
        return m;
    }

    public boolean isCloneInstance() { return effectiveMeta().containsKey("clone-max"); }

    public boolean isPromotable() {
        String v = effectiveMeta().get("promotable");
        return v != null && (v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("yes"));
    }

    /** The executor's key for the resource on this node: the primitive id, with {@code :n} for clone instances. */
    public String key() { return isCloneInstance() ? resource.id() + ":" + instance : resource.id(); }
}
