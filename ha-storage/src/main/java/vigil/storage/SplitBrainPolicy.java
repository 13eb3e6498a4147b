package vigil.storage;

import java.util.List;
import vigil.api.ConfigException;

/**
 * How DRBD resolves a split brain on reconnect, by the number of Primaries at that moment (the
 * {@code after-sb-0pri}, {@code after-sb-1pri} and {@code after-sb-2pri} net options), plus what Vigil's controller
 * does when the kernel could not resolve it ({@link Recovery}). See the DRBD user's guide, "Automatic split brain
 * recovery policies".
 */
public record SplitBrainPolicy(String afterSb0pri, String afterSb1pri, String afterSb2pri, Recovery recovery) {
    static final List<String> ZERO_PRI = List.of("disconnect", "discard-younger-primary", "discard-older-primary",
            "discard-zero-changes", "discard-least-changes");
    static final List<String> ONE_PRI = List.of("disconnect", "consensus", "discard-secondary", "call-pri-lost-after-sb", "violently-as0p");
    static final List<String> TWO_PRI = List.of("disconnect", "call-pri-lost-after-sb", "violently-as0p");

    /** Never discards data automatically: every split brain waits for {@code vigil drbd resolve}. */
    public static final SplitBrainPolicy MANUAL = new SplitBrainPolicy("disconnect", "disconnect", "disconnect", Recovery.MANUAL);

    /** DRBD's commonly recommended automatic settings: discard a side only when that loses no writes, or it was Secondary. */
    public static final SplitBrainPolicy CONSERVATIVE =
            new SplitBrainPolicy("discard-zero-changes", "discard-secondary", "disconnect", Recovery.MANUAL);

    /** What the controller does with a split brain the kernel left unresolved (connection StandAlone). */
    public enum Recovery {
        /** Report it; an operator runs {@code vigil drbd resolve --discard NODE}. */
        MANUAL,
        /** The node that is Secondary discards its changes and reconnects; the Primary reconnects. */
        DISCARD_SECONDARY;

        public static Recovery parse(String field, String text) {
            if ("manual".equals(text)) return MANUAL;
            if ("discard-secondary".equals(text)) return DISCARD_SECONDARY;
            throw new ConfigException(field, "unknown split-brain recovery \"" + text + "\"", "use manual or discard-secondary");
        }
    }

    public SplitBrainPolicy {
        check("after-sb-0pri", afterSb0pri, ZERO_PRI, true);
        check("after-sb-1pri", afterSb1pri, ONE_PRI, false);
        check("after-sb-2pri", afterSb2pri, TWO_PRI, false);
        recovery = recovery == null ? Recovery.MANUAL : recovery;
    }

    private static void check(String field, String value, List<String> allowed, boolean allowDiscardNode) {
        if (value != null && (allowed.contains(value) || (allowDiscardNode && value.matches("discard-node-[A-Za-z0-9_.-]+")))) return;
        throw new ConfigException(field, "invalid policy \"" + value + "\"", "use one of " + String.join(", ", allowed)
                + (allowDiscardNode ? " or discard-node-NODENAME" : ""));
    }
}
