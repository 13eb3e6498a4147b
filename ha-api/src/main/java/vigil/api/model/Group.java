package vigil.api.model;

import java.util.List;
import java.util.Objects;

/** Primitives that run together on one node, started in list order and stopped in reverse. */
public record Group(String id, List<Primitive> members, Meta meta) implements Resource {
    public Group {
        Objects.requireNonNull(id, "id");
        members = List.copyOf(members);
        meta = meta == null ? Meta.EMPTY : meta;
    }

    @Override
    public List<Primitive> primitives() { return members; }
}
