package vigil.storage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Split-brain detection and resolution, pure. DRBD reports a split brain it could not resolve with the after-sb
 * policies by calling the {@code split-brain} (or {@code initial-split-brain}) helper, which events2 shows as a
 * {@code call helper} line, and then drops the connection to StandAlone. {@code status} alone cannot tell a split
 * brain from an administrative disconnect, so a StandAlone connection is only a suspicion.
 */
public final class SplitBrain {
    private SplitBrain() {}

    /** @param confirmed true when the kernel called the split-brain helper; false for a StandAlone suspicion */
    public record Finding(String resource, String peer, boolean confirmed, String detail) {}

    /** One command of a resolution, on one node (its {@code on} host name). */
    public record Step(String node, List<String> argv) {
        public Step {
            argv = List.copyOf(argv);
        }
    }

    public static List<Finding> detect(DrbdStateTracker events) {
        List<Finding> out = new ArrayList<>();
        for (DrbdStateTracker.SplitBrain sb : events.splitBrains()) {
            out.add(new Finding(sb.resource(), sb.peer(), true, "kernel called the " + sb.helper() + " handler for volume " + sb.volume()));
        }
        for (DrbdResourceStatus s : events.resources()) {
            for (Finding f : suspect(s)) if (out.stream().noneMatch(o -> o.resource().equals(f.resource()) && o.peer().equals(f.peer()))) out.add(f);
        }
        return out;
    }

    /** Connections that are StandAlone while this node holds data: an unresolved split brain or a manual disconnect. */
    public static List<Finding> suspect(DrbdResourceStatus s) {
        List<Finding> out = new ArrayList<>();
        DiskState disk = s.worstDisk();
        boolean hasData = disk == DiskState.UpToDate || disk == DiskState.Consistent || disk == DiskState.Outdated;
        for (DrbdResourceStatus.Connection c : s.connections()) {
            if (c.state() == ConnectionState.StandAlone && hasData) {
                out.add(new Finding(s.name(), c.name(), false, "connection StandAlone while local disk is " + disk
                        + " (split brain, or disconnected by hand)"));
            }
        }
        return out;
    }

    /**
     * The manual resolution ({@code vigil drbd resolve --discard VICTIM}), as in the DRBD user's guide: on the victim
     * {@code drbdadm secondary} and {@code drbdadm connect --discard-my-data}; then on each survivor
     * {@code drbdadm connect}. {@code configFile} (may be null) is passed to drbdadm with {@code -c}.
     */
    public static List<Step> resolution(String resource, String victim, List<String> survivors, Path configFile) {
        if (survivors.contains(victim)) throw new IllegalArgumentException("the victim " + victim + " cannot also be a survivor");
        if (survivors.isEmpty()) throw new IllegalArgumentException(resource + ": no survivor to resync " + victim + " from");
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(victim, cfg(configFile, DrbdAdm.secondary(resource))));
        steps.add(new Step(victim, cfg(configFile, DrbdAdm.connect(resource, true))));
        for (String s : survivors) steps.add(new Step(s, cfg(configFile, DrbdAdm.connect(resource, false))));
        return steps;
    }

    /**
     * The automatic choice of {@link SplitBrainPolicy.Recovery#DISCARD_SECONDARY}: with exactly one Primary among
     * {@code local} and its StandAlone peer, the Secondary is the victim. Empty when both or neither are Primary
     * (left to an operator).
     */
    public static Optional<String> victimDiscardingSecondary(String localNode, DrbdRole localRole, String peerNode, DrbdRole peerRole) {
        if (localRole == DrbdRole.Primary && peerRole != DrbdRole.Primary) return Optional.of(peerNode);
        if (peerRole == DrbdRole.Primary && localRole != DrbdRole.Primary) return Optional.of(localNode);
        return Optional.empty();
    }

    private static List<String> cfg(Path file, List<String> argv) { return file == null ? argv : DrbdAdm.withConfig(file, argv); }
}
