package vigil.api.model;

import java.util.List;
import java.util.Objects;

/**
 * Copies of a primitive or group on several nodes (clone-max, clone-node-max). A promotable clone's
 * instances are Unpromoted or Promoted (promoted-max, promoted-node-max), with promotion scores reported by the driver.
 */
public record Clone(String id, Resource child, Meta meta, boolean promotable) implements Resource {
    public Clone {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(child, "child");
        if (child instanceof Clone) throw new IllegalArgumentException("clone " + id + ": a clone cannot contain a clone");
        meta = meta == null ? Meta.EMPTY : meta;
    }

    @Override
    public List<Primitive> primitives() { return child.primitives(); }
}
