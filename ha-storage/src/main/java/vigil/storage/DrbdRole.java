package vigil.storage;

/** The role of a DRBD resource on a node ({@code role:} / {@code role} / {@code peer-role}). */
public enum DrbdRole {
    Primary, Secondary, Unknown;

    public static DrbdRole parse(String text) {
        if ("Primary".equals(text)) return Primary;
        if ("Secondary".equals(text)) return Secondary;
        return Unknown;
    }
}
