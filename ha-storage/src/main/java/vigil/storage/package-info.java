/**
 * DRBD 9 for Vigil: the promotable {@code drbd} resource type ({@link vigil.storage.DrbdDriver}) and the controller
 * behind it ({@link vigil.storage.DrbdController}).
 *
 * <h2>What it does</h2>
 * <ul>
 * <li>Generates {@code /etc/drbd.d/NAME.res} from the {@code drbd} primitive's parameters
 *     ({@link vigil.storage.DrbdResourceConfig}, {@link vigil.storage.DrbdResourceFile}): per-host node-id, address,
 *     device, disk, meta-disk; protocol C; net options; quorum; fencing ({@code resource-only} by default) and its
 *     handlers; the {@code after-sb-0pri/1pri/2pri} split-brain policies. drbdadm is always called with
 *     {@code -c FILE}.</li>
 * <li>Runs drbdadm / drbdsetup only through {@link vigil.api.spi.ProcessRunner} with argv from
 *     {@link vigil.storage.DrbdAdm} and {@link vigil.storage.DrbdSetup}, and reads the state back from
 *     {@code drbdsetup status --json} ({@link vigil.storage.DrbdStatusParser}) or {@code drbdsetup events2}
 *     ({@link vigil.storage.DrbdEvent}, {@link vigil.storage.DrbdStateTracker}).</li>
 * <li>Reports {@code RUNNING_PROMOTED} (8) for Primary, {@code SUCCESS} for Secondary, {@code NOT_RUNNING} when the
 *     resource is down, each with a promotion score from the local disk state
 *     ({@link vigil.storage.PromotionScores}: UpToDate 10000 &gt; Consistent 5000 &gt; Outdated 1000; Inconsistent,
 *     Diskless and the rest are not promotable; with fencing an Outdated disk is never promotable).</li>
 * <li>Resource-level fencing as Pacemaker's crm-fence-peer does it: when the Primary's monitor finds its replication
 *     link lost, it marks the peer's copy outdated in the cluster's replicated state ({@link vigil.storage.FencingMonitor},
 *     {@link vigil.api.spi.OutdatedCopies}, a committed command); no node promotes a marked copy (the scheduler plans no
 *     such promotion, and the driver refuses it) until the mark is cleared, once the copy is connected and UpToDate
 *     again. The mark is set at the Primary's next monitor after the link loss (not by DRBD's fence-peer handler): a
 *     Primary that dies within one monitor interval of losing its link leaves its peer unmarked.</li>
 * <li>Split brain: detected from the kernel's {@code split-brain} helper call in events2 (confirmed) or a StandAlone
 *     connection with local data (suspected) ({@link vigil.storage.SplitBrain}); resolved automatically by the
 *     after-sb policies, by {@code split-brain-recovery=discard-secondary}, or by hand with
 *     {@code vigil drbd resolve --discard NODE} ({@link vigil.storage.DrbdCommand}).</li>
 * </ul>
 *
 * <h2>The VM-on-DRBD resource pattern</h2>
 * A VM whose disk DRBD replicates runs only where that disk is Primary, and only after it became Primary.
 * {@link vigil.storage.DrbdVmPattern#add} builds it:
 * <pre>{@code
 * Primitive disk = Primitive.builder("vm1-disk", "drbd")
 *         .param("hosts", "node1:10.0.0.1,node2:10.0.0.2")
 *         .param("device", "/dev/drbd1").param("disk", "/dev/vg0/vm1")
 *         .param("fencing", "resource-only").build();
 * Primitive vm = Primitive.builder("vm1", "kvm").meta(Meta.ALLOW_MIGRATE, "true").build();
 * ClusterConfig config = DrbdVmPattern.add(ClusterConfig.builder().node(n1).node(n2), disk, vm, 2).build();
 * }</pre>
 * which amounts to:
 * <ul>
 * <li>{@code vm1-disk-clone}: promotable clone of {@code vm1-disk}, clone-max 2, promoted-max 1;</li>
 * <li>colocation {@code vm1} with {@code vm1-disk-clone} in role Promoted, score INFINITY;</li>
 * <li>order {@code promote vm1-disk-clone} then {@code start vm1} (symmetrical: stop vm1 before demote).</li>
 * </ul>
 * When the node running both dies, it is fenced, the surviving UpToDate copy is promoted (an outdated one never is)
 * and the VM is started there.
 *
 * <h2>Live migration inside a dual-primary window</h2>
 * DRBD allows two Primaries only while a VM on the disk live-migrates. For a planned move of an allow-migrate
 * {@code vm1} from {@code node1} to {@code node2} the scheduler plans, and the engine runs, in this order:
 * <ol>
 * <li>on node2: promote of the DRBD instance <em>with node1 as its peer</em>: {@link vigil.storage.DrbdDriver#promote}
 *     then opens the window first ({@link vigil.storage.DrbdController#openDualPrimaryWindow}: refused unless the peer
 *     is Connected and UpToDate; {@code drbdsetup net-options RES PEER --allow-two-primaries=yes}), promotes, and
 *     leaves the resource file at {@code allow-two-primaries no}, so a restart inside the window allows one Primary;</li>
 * <li>migrate_to on node1, migrate_from on node2 (the {@code kvm} driver);</li>
 * <li>on node1: demote, which always ends a window ({@link vigil.storage.DrbdController#closeDualPrimaryWindow}:
 *     Secondary, then {@code allow-two-primaries no}).</li>
 * </ol>
 * If the migration fails, the VM still runs on node1 and the scheduler demotes node2 instead, closing the window the
 * same way. {@link vigil.storage.DrbdDriver#openDualPrimaryWindow} and
 * {@link vigil.storage.DrbdDriver#closeDualPrimaryWindow} run the single steps for callers outside the scheduler.
 */
package vigil.storage;
