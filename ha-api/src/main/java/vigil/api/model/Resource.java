package vigil.api.model;

/** A configured resource: a primitive, a group of primitives, or a clone (possibly promotable). */
public sealed interface Resource permits Primitive, Group, Clone {
    String id();

    Meta meta();

    /** The primitives this resource consists of, in start order. */
    java.util.List<Primitive> primitives();
}
