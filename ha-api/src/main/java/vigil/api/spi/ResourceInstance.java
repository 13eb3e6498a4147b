package vigil.api.spi;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import vigil.api.model.Maps;

/**
 * What a driver operation acts on.
 *
 * @param resource     the primitive's id (for a clone instance, the primitive id; {@code instance} is its number)
 * @param params       the primitive's instance parameters (secrets included: drivers must not log them)
 * @param meta         its meta attributes
 * @param localNode    the node the operation runs on
 * @param timeout      how long the operation may take before the executor kills it and counts a failure
 * @param peerNode     for migrate_to the target node, for migrate_from the source node; empty otherwise
 * @param peerAttributes the peer node's attributes (e.g. its {@code libvirt-uri})
 * @param blobs        the cluster's replicated blobs (e.g. domain XML), by name
 */
public record ResourceInstance(String resource, String type, int instance, Map<String, String> params, Map<String, String> meta,
                               String localNode, Duration timeout, String peerNode, Map<String, String> peerAttributes,
                               Map<String, String> blobs) {
    public ResourceInstance {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(type, "type");
        params = Maps.sorted(params);
        meta = Maps.sorted(meta);
        Objects.requireNonNull(localNode, "localNode");
        Objects.requireNonNull(timeout, "timeout");
        peerNode = peerNode == null ? "" : peerNode;
        peerAttributes = Maps.sorted(peerAttributes);
        blobs = Maps.sorted(blobs);
    }

    public String param(String key, String dflt) { return params.getOrDefault(key, dflt); }
}
