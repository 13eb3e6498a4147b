package vigil.api.model;

/** A member votes and runs resources; a witness only votes (the two-host cluster's tie-breaker). */
public enum NodeRole { MEMBER, WITNESS }
