package vigil.lab.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Meta;
import vigil.api.model.Operation;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.lab.LocalCluster;
import vigil.raft.admin.AdminClient;
import vigil.raft.agent.AgentAddresses;
import vigil.storage.DrbdDriver;
import vigil.storage.PromotionScores;
import vigil.testkit.LabDir;

/**
 * Resource-level fencing across separate processes: two node processes with a replica each of a promotable
 * {@code drbd} disk, and a witness. The DRBD kernel module cannot load on this machine: each node's real drbd driver
 * runs its real drbdadm / drbdsetup argv against {@link DrbdKernelStandIn} (served to the node processes by
 * {@link DrbdStandInServer}), which answers in drbdsetup's recorded JSON layout and keeps both hosts' kernel state,
 * including a replica that falls behind while the replication link is cut.
 *
 * <p>Checked: the Primary that loses its link marks its peer outdated in the replicated state; when the Primary dies,
 * no node promotes the outdated copy (the mark is the cluster's, not the dead Primary's memory); the old Primary comes
 * back and is promoted; once the link is whole and the peer resynced the mark is cleared, and the peer can be promoted.
 */
class DrbdOutdateIT {
    private static final String DISK = "disk";
    private static final Duration LONG = Duration.ofSeconds(120);

    private final List<String> timeline = new ArrayList<>();
    private DrbdKernelStandIn drbd;
    private DrbdStandInServer server;
    private LocalCluster c;
    private Path dir;

    @AfterEach
    void stop() {
        if (c != null) c.close();
        if (server != null) server.close();
        synchronized (timeline) { System.out.println("timeline:\n  " + String.join("\n  ", timeline)); }
    }

    private void event(String e) {
        synchronized (timeline) { timeline.add(Instant.now() + " " + e); }
    }

    @Test
    void aPeerThePrimaryOutdatedIsPromotedNowhere_untilItResyncedAndTheMarkWasCleared() {
        dir = LabDir.create("vigil-drbd-outdate-");
        drbd = new DrbdKernelStandIn(DISK, Map.of("n1", 0, "n2", 1), this::event);
        server = new DrbdStandInServer(drbd);
        c = LocalCluster.builder(dir).members(2).witnesses(1)
                .environment(node -> DrbdStandInServer.path(server.toolsFor(node, dir.resolve(node).resolve("drbd-utils")))).start();
        Primitive disk = Primitive.builder(DISK, DrbdDriver.TYPE)
                .param("hosts", "n1:127.0.0.1,n2:127.0.0.2").param("device", "/dev/drbd0").param("disk", "/dev/vg0/disk")
                .param("fencing", "resource-only").param("config-dir", dir.resolve("drbd.d").toString())
                .operation(new Operation("monitor", Duration.ofSeconds(1), Duration.ofSeconds(20), null, Role.PROMOTED))
                .operation(new Operation("monitor", Duration.ofSeconds(2), Duration.ofSeconds(20), null, Role.UNPROMOTED))
                .build();
        c.admin().applyConfig(c.baseConfig(ClusterConfig.builder()
                .properties(ClusterProperties.builder().nodeTimeout(Duration.ofSeconds(2)).defaultStickiness(Score.of(100)).build())
                .resource(new Clone("disk-clone", disk, Meta.of(Map.of(Meta.CLONE_MAX, "2", Meta.PROMOTED_MAX, "1")), true)).build()));

        ClusterState s = await("one replica Promoted, the other Unpromoted", st -> promoted(st).isPresent()
                && st.resource(DISK, other(promoted(st).get())).role() == Role.UNPROMOTED);
        String primary = promoted(s).orElseThrow();
        String peer = other(primary);
        event("Primary " + primary + ", peer " + peer);

        // the Primary's monitor must have seen its peer connected: like DRBD's fence-peer handler, it marks a peer only
        // when a connection is lost, never one it has not seen connected
        c.await(LONG, primary + "'s monitor saw " + peer + " connected", () -> drbd.hasShownConnected(primary));

        // the replication link breaks: the Primary's monitor finds its peer gone and commits the mark
        drbd.cutLink();
        event("link cut");
        s = await(primary + " marked " + peer + "'s copy outdated", st -> st.isOutdated(DISK, peer));
        assertFalse(s.isOutdated(DISK, primary));
        event("mark committed: " + s.outdatedCopy(DISK, peer).orElseThrow());

        // the Primary's host dies; the cluster fences it, and must not promote the stale copy anywhere
        Instant killed = c.kill(primary);
        drbd.powerOff(primary);
        event(primary + " host dies");
        Instant died = killed;
        await(primary + " fenced", st -> st.fenceHistory().stream().anyMatch(e -> e.target().equals(primary) && e.success()
                && !e.at().isBefore(died)) && st.node(primary).membership() == Membership.OFFLINE);
        LocalCluster.sleep(Duration.ofSeconds(10)); // several monitor intervals and plans: time enough to promote, were it allowed
        s = await("a status", st -> true);
        assertEquals(Role.UNPROMOTED, s.resource(DISK, peer).role(), "the outdated copy stays Unpromoted");
        assertFalse(drbd.isPrimary(peer), "no drbdadm primary reached the stand-in on " + peer);
        assertEquals(List.of(), drbd.stalePromotions());
        // every node's replica of the state holds the mark, the witness's too
        for (String n : List.of(peer, "w3")) assertTrue(statusFrom(n).isOutdated(DISK, peer), n + " knows the mark");

        // the dead host comes back: its copy is the up-to-date one and is promoted there
        drbd.powerOn(primary);
        c.launch(primary);
        event(primary + " restarted");
        await(primary + " Promoted again", st -> st.resource(DISK, primary).role() == Role.PROMOTED);
        assertTrue(await("a status", st -> true).isOutdated(DISK, peer), "still marked: the link is still cut");

        // the link is whole again: the peer resyncs, the Primary's monitor sees it UpToDate and clears the mark
        drbd.healLink();
        event("link healed");
        await("the mark of " + peer + " cleared", st -> !st.isOutdated(DISK, peer));
        await(peer + " promotable again", st -> st.resource(DISK, peer).promotionScore() > PromotionScores.NOT_PROMOTABLE);

        // now the peer may be promoted: when the Primary dies again, it is
        c.kill(primary);
        drbd.powerOff(primary);
        event(primary + " host dies again");
        await(peer + " Promoted", st -> st.resource(DISK, peer).role() == Role.PROMOTED);
        assertEquals(List.of(), drbd.stalePromotions(), "never was a copy promoted that had missed writes");
    }

    private static Optional<String> promoted(ClusterState s) { return s.nodeWithRole(DISK, Role.PROMOTED); }

    private static String other(String node) { return node.equals("n1") ? "n2" : "n1"; }

    private ClusterState await(String what, Predicate<ClusterState> condition) {
        return c.awaitValue(LONG, what, () -> c.status().filter(condition));
    }

    /** The state as {@code node} itself has applied it (its own replica, not the leader's). */
    private ClusterState statusFrom(String node) {
        String api = AgentAddresses.of(c.nodes().stream().filter(n -> n.id().equals(node)).findFirst().orElseThrow());
        try (AdminClient one = AdminClient.connect(List.of(api), c.adminCredentials(), Duration.ofSeconds(5))) {
            return one.status(); // the contacted node's own replica, after a read index
        }
    }
}
