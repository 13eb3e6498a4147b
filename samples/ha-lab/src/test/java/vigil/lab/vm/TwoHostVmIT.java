package vigil.lab.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.lab.TwoHostLab;
import vigil.raft.admin.AdminClient;

/**
 * The two-host deployment end to end on separate processes ({@link TwoHostLab}): two {@code vigil daemon} processes in
 * their own network namespaces, each with its own libvirtd running a real QEMU guest as the {@code kvm} resource, DRBD
 * through the kernel stand-in (the DRBD kernel module cannot load here), fencing by {@code ipmi_sim} BMCs whose power-off
 * stops the host (daemon, libvirtd, guests), two-node mode and no witness, running the two-host sample file itself
 * ({@code samples/ha-daemon/examples/kvm-drbd-two-node.yaml}) with the lab's hosts, addresses and BMCs in it, its VIP
 * included (IPaddr2 in the hosts' network namespaces).
 *
 * <p>In one cluster lifetime: the VM's host dies -> its peer fences it through its BMC, runs alone, promotes its DRBD copy
 * and starts the VM, which runs exactly once; the dead host boots again -> it runs nothing until its peer admitted it
 * (wait_for_all), the VM stays where it is; the link between the hosts is cut -> exactly one host survives (the VM's, by
 * priority-fencing-delay), the other is powered off by the fence device, the VM runs exactly once; both hosts down and
 * only the fenced one boots -> it fences nobody and runs nothing while its peer is down and unconfirmed; the peer boots
 * and takes it back; then the other host, running the VM, dies -> the VM is started on the first one. Throughout, the
 * VM's QEMU never runs on both hosts at once, nor its VIP, and no outdated DRBD copy is promoted.
 */
class TwoHostVmIT {
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration LONG = Duration.ofSeconds(180);
    private static final String VM = TwoHostLab.VM;
    private TwoHostLab lab;

    @AfterEach
    void stop() {
        if (lab == null) return;
        System.out.println("events:\n  " + String.join("\n  ", lab.events()));
        for (String h : TwoHostLab.HOSTS) {
            List<String> own = lab.log(h).lines().filter(l -> l.contains(" vigil.") && !l.startsWith("\tat ")).toList();
            System.out.println("---- " + h + ", Vigil's last 60 lines\n" + String.join("\n", own.subList(Math.max(0, own.size() - 60), own.size())));
        }
        lab.close();
    }

    @Test
    void hostDeathCutAndRestarts_theVmRunsExactlyOnce_aLoneHostRunsNothingUntilItsPeerIsBack() throws Exception {
        Optional<String> missing = TwoHostLab.unavailable();
        assumeTrue(missing.isEmpty(), () -> "two-host lab cannot run: " + missing.orElse(""));
        lab = TwoHostLab.start(NODE_TIMEOUT);
        ClusterState s = await("the VM running and its disk Promoted on the same host",
                st -> TwoHostLab.promoted(st).isPresent() && st.activeNodes(VM).equals(TwoHostLab.promoted(st).map(List::of).orElseThrow()));
        String first = TwoHostLab.promoted(s).orElseThrow();
        String second = other(first);
        assertEquals(List.of(first), lab.vmHosts());
        assertTrue(lab.drbdPrimary(first) && !lab.drbdPrimary(second));
        for (String h : TwoHostLab.HOSTS) {
            awaitTrue(h + " noted two-node mode in its data directory", () -> Files.exists(lab.dir().resolve(h + "-data").resolve("two-node")));
        }

        // 1. the VM's host dies: its peer fences it through its BMC, runs alone, promotes its copy, starts the VM
        Instant crashed = Instant.now();
        lab.crash(first);
        awaitAlone(second, first, crashed);
        assertFalse(lab.bmcOn(first), first + " powered off by its fence device");
        assertTrue(lab.log(second).contains("two-node: fencing " + first + " confirmed it off"), lab.log(second));

        // 2. it boots again: it runs nothing until its peer made it a voter again; the VM stays on the peer
        lab.powerOn(first);
        awaitPaired("after " + first + " booted");
        assertTrue(lab.log(first).contains("two-node: WAIT_FOR_ALL"), lab.log(first));
        assertEquals(List.of(second), lab.vmHosts());
        assertFalse(lab.drbdPrimary(first));
        Thread.sleep(NODE_TIMEOUT.multipliedBy(3).toMillis()); // a peer that fenced the host it admitted would have by now
        assertTrue(lab.running(first) && lab.bmcOn(first), first + " was not fenced on its return");
        awaitPaired("a while after " + first + " was admitted");

        // 3. the link between them is cut: exactly one survives - the VM's host, whose fencing waits priority-fencing-delay -
        // and the other is powered off by its BMC; the VM runs once, where it ran
        awaitTrue(second + "'s DRBD monitor saw " + first + " connected", () -> lab.drbdShownConnected(second));
        Instant cut = Instant.now();
        lab.cut();
        awaitAlone(second, first, cut);
        assertTrue(lab.running(second) && lab.bmcOn(second), second + " survived");
        assertTrue(lab.poweredOffAt(first).orElseThrow().isAfter(cut), first + " powered off by the fence device after the cut");
        // marked by the survivor's DRBD monitor once it runs Primary without its peer: its next monitor after the promotion
        await("the cut-off copy of " + first + " marked outdated", st -> st.isOutdated(TwoHostLab.DISK_PRIMITIVE, first));
        lab.heal();

        // 4. the survivor dies too, and only the fenced host boots: while its peer is down and unconfirmed it runs nothing
        // and fences nobody (wait_for_all)
        lab.crash(second);
        int booted = lab.log(first).length();
        lab.powerOn(first);
        // (not against "running; admin API on": the daemon prints that line to stdout after its guard's first tick may have
        // logged WAIT_FOR_ALL already)
        awaitTrue(first + " waiting for its peer", () -> lab.log(first).indexOf("two-node: WAIT_FOR_ALL", booted) >= 0);
        Thread.sleep(NODE_TIMEOUT.multipliedBy(4).toMillis()); // a host that did not wait would have fenced its peer and gone on alone by now
        assertTrue(lab.bmcOn(second), first + " fenced nobody");
        assertEquals(List.of(), lab.vmHosts(), lab.describeGuests());
        assertEquals(List.of(), lab.vipHosts(), "no VIP on " + first);
        assertFalse(lab.drbdPrimary(first), "no DRBD promotion on " + first);

        // 5. the peer boots: the two pair again, the VM runs once (on the host whose copy is up to date)
        lab.powerOn(second);
        awaitPaired("after both booted");
        s = await(VM + " running on " + second, st -> st.hasQuorum() && st.activeNodes(VM).equals(List.of(second)) && lab.vmHosts().equals(List.of(second)));
        // the link is whole: the fenced host's copy resyncs and the mark is cleared, so that it may be promoted again
        await("the outdated mark of " + first + " cleared", st -> st.hasQuorum() && !st.isOutdated(TwoHostLab.DISK_PRIMITIVE, first)
                && st.resource(TwoHostLab.DISK_PRIMITIVE, first).role() == Role.UNPROMOTED);

        // 6. the other host dies, running the VM: the first one fences it and starts the VM
        crashed = Instant.now();
        lab.crash(second);
        awaitAlone(first, second, crashed);
        assertFalse(lab.bmcOn(second));

        assertEquals(List.of(), lab.doubleRuns(), "the VM's QEMU and its VIP never on both hosts at once");
        assertEquals(List.of(), lab.stalePromotions(), "no DRBD copy that had missed writes was promoted");
    }

    /** {@code survivor} fenced {@code dead} after {@code since}, runs alone, holds the Primary and runs the VM and its VIP, once. */
    private void awaitAlone(String survivor, String dead, Instant since) {
        await(survivor + " alone after fencing " + dead + ", its disk Promoted and " + VM + " and its VIP running there only", st ->
                st.fenceHistory().stream().anyMatch(e -> e.target().equals(dead) && e.success() && e.at().isAfter(since))
                        && st.node(dead).membership() != Membership.ONLINE
                        && TwoHostLab.promoted(st).equals(Optional.of(survivor)) && st.activeNodes(VM).equals(List.of(survivor))
                        && lab.vmHosts().equals(List.of(survivor))
                        && st.activeNodes(TwoHostLab.VIP).equals(List.of(survivor)) && lab.vipHosts().equals(List.of(survivor)));
        awaitTrue(dead + " off: daemon and guests stopped", () -> !lab.running(dead) && !lab.bmcOn(dead));
        assertTrue(lab.drbdPrimary(survivor) && !lab.drbdPrimary(dead));
        AdminClient.Status2 s2 = lab.statusWithServer().orElseThrow();
        assertEquals(1, s2.server().voters().size(), "the survivor is the only voter: " + s2.server().voters());
    }

    /**
     * Both hosts voters, online, and each has seen its peer since it started. A host that hears no quorate leader answers
     * the status from its own state, with the voters of its own last configuration: a host that just booted and waits for
     * its peer (wait_for_all) shows the pair from before it went down, so the status alone does not tell that it was
     * admitted, nor that it would fence its peer now; its guard's log does.
     */
    private void awaitPaired(String when) {
        awaitTrue("both hosts voters and online " + when, () -> lab.statusWithServer().filter(s2 -> s2.state().hasQuorum() && s2.server().voters().size() == 2
                && TwoHostLab.HOSTS.stream().allMatch(h -> s2.state().node(h).membership() == Membership.ONLINE)).isPresent());
        for (String h : TwoHostLab.HOSTS) {
            awaitTrue(h + " paired with its peer since it started, " + when, () -> {
                String log = lab.log(h);
                return log.lastIndexOf("two-node: PAIRED") > log.lastIndexOf("two-node: WAIT_FOR_ALL");
            });
        }
    }

    private ClusterState await(String what, Predicate<ClusterState> condition) {
        ClusterState[] last = {null};
        try {
            awaitTrue(what, () -> {
                Optional<ClusterState> s = lab.status();
                s.ifPresent(st -> last[0] = st);
                return s.filter(condition).isPresent();
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; VM QEMU on " + lab.vmHosts() + ", VIP held by " + lab.vipHosts() + "; last status: " + (last[0] == null ? "none" : describe(last[0])), e);
        }
        return last[0];
    }

    private static String describe(ClusterState s) {
        return "nodes " + TwoHostLab.HOSTS.stream().map(h -> h + "=" + s.node(h).membership()).toList() + ", " + VM + " on " + s.activeNodes(VM)
                + ", VIP on " + s.activeNodes(TwoHostLab.VIP) + ", Promoted " + TwoHostLab.promoted(s).orElse("nowhere") + ", fences " + s.fenceHistory();
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        vigil.testkit.Await.until(LONG, what, condition);
    }

    private static String other(String h) { return h.equals("n1") ? "n2" : "n1"; }
}
