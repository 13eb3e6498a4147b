package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vigil.api.spi.ProcessRunner;
import vigil.testkit.LabDir;

/**
 * Generated resource files checked by the real drbd-utils: {@code drbdadm -c FILE dump RES} must accept them and
 * {@code drbdadm -c FILE -d up RES} (dry run: prints the drbdsetup / drbdmeta calls, needs no kernel module) must
 * produce the expected calls. The {@code on} section of this machine must carry its {@code hostname}.
 */
class DrbdResourceFileIT {
    static final Duration T = Duration.ofSeconds(60);
    static String host;
    static final ProcessRunner RUN = ProcessRunner.local();

    @BeforeAll
    static void drbdadmInstalled() {
        ProcessRunner.ProcessResult v = RUN.run(List.of("drbdadm", "--version"), T);
        assumeTrue(v.exitCode() != 127, "drbd-utils (drbdadm) is not installed");
        host = RUN.run(List.of("hostname"), T).stdout().strip();
    }

    private static Map<String, String> params(String hosts) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("hosts", hosts);
        p.put("device", "/dev/drbd7");
        p.put("disk", "/dev/vg0/vm1");
        p.put("disk@peer", "/dev/vg9/vm1");
        p.put("port", "7790");
        p.put("quorum", "majority");
        p.put("on-no-quorum", "io-error");
        p.put("fencing", "resource-and-stonith");
        p.put("after-sb-0pri", "discard-zero-changes");
        p.put("after-sb-1pri", "discard-secondary");
        p.put("after-sb-2pri", "disconnect");
        p.put("net.max-buffers", "8000");
        p.put("net.ping-timeout", "10");
        p.put("handler.fence-peer", "/usr/lib/vigil/fence-peer");
        p.put("handler.unfence-peer", "/usr/lib/vigil/unfence-peer");
        return p;
    }

    private static ProcessRunner.ProcessResult run(List<String> argv) {
        ProcessRunner.ProcessResult r = RUN.run(argv, T);
        assertEquals(0, r.exitCode(), String.join(" ", argv) + "\nstdout:\n" + r.stdout() + "\nstderr:\n" + r.stderr());
        return r;
    }

    @Test
    void twoHosts_dumpAcceptsEverySetting_andDryRunUpBuildsTheDevice() throws Exception {
        Path lab = LabDir.create("drbd");
        try {
            DrbdResourceConfig c = DrbdResourceConfig.fromParams("vm1-disk", params("me=" + host + ":127.0.0.1,peer:127.0.0.2"));
            DrbdController ctl = new DrbdController(RUN, lab, T);
            ctl.writeConfig(c);
            Path file = ctl.configFile("vm1-disk");

            String dump = normalized(run(DrbdAdm.withConfig(file, DrbdAdm.dump("vm1-disk"))).stdout());
            for (String want : new String[] {"resource vm1-disk {", "on " + host + " {", "node-id 0;", "address ipv4 127.0.0.1:7790;",
                    "disk /dev/vg0/vm1;", "on peer {", "node-id 1;", "disk /dev/vg9/vm1;", "device /dev/drbd7 minor 7;",
                    "meta-disk internal;", "quorum majority;", "on-no-quorum io-error;", "protocol C;",
                    "fencing resource-and-stonith;", "after-sb-0pri discard-zero-changes;", "after-sb-1pri discard-secondary;",
                    "after-sb-2pri disconnect;", "allow-two-primaries no;", "max-buffers 8000;", "ping-timeout 10;",
                    "fence-peer /usr/lib/vigil/fence-peer;", "unfence-peer /usr/lib/vigil/unfence-peer;"}) {
                assertTrue(dump.contains(want), "drbdadm dump lacks `" + want + "`:\n" + dump);
            }

            String up = run(DrbdAdm.withConfig(file, DrbdAdm.dryRun(DrbdAdm.up("vm1-disk")))).stdout();
            List<String> lines = up.lines().toList();
            assertEquals("drbdsetup new-resource vm1-disk 0 --quorum=majority --on-no-quorum=io-error", lines.get(0), up);
            assertTrue(lines.contains("drbdsetup new-minor vm1-disk 7 0"), up);
            String peer = lines.stream().filter(l -> l.startsWith("drbdsetup new-peer vm1-disk 1 ")).findFirst().orElse("");
            for (String opt : new String[] {"--_name=peer", "--protocol=C", "--fencing=resource-and-stonith", "--after-sb-0pri=discard-zero-changes",
                    "--after-sb-1pri=discard-secondary", "--after-sb-2pri=disconnect", "--allow-two-primaries=no", "--max-buffers=8000"}) {
                assertTrue(peer.contains(opt), "new-peer lacks " + opt + ":\n" + up);
            }
            assertTrue(lines.contains("drbdsetup new-path vm1-disk 1 ipv4:127.0.0.1:7790 ipv4:127.0.0.2:7790"), up);
            assertTrue(lines.contains("drbdsetup attach 7 /dev/vg0/vm1 /dev/vg0/vm1 internal"), up);
            assertTrue(lines.contains("drbdsetup connect vm1-disk 1"), up);
        } finally {
            deleteTree(lab);
        }
    }

    @Test
    void threeHostsMeshAndDualPrimaryWindow_acceptedByDrbdadm() throws Exception {
        Path lab = LabDir.create("drbd");
        try {
            Map<String, String> p = params("me=" + host + ":127.0.0.1,peer:127.0.0.2,third:127.0.0.3");
            DrbdResourceConfig c = DrbdResourceConfig.fromParams("r3", p).withAllowTwoPrimaries(true);
            DrbdController ctl = new DrbdController(RUN, lab, T);
            ctl.writeConfig(c);
            Path file = ctl.configFile("r3");
            String dump = normalized(run(DrbdAdm.withConfig(file, DrbdAdm.dump("r3"))).stdout());
            assertTrue(dump.contains("allow-two-primaries yes;"), dump);
            assertTrue(dump.contains("connection-mesh {") && dump.contains("hosts " + host + " peer third;"), dump);
            String up = run(DrbdAdm.withConfig(file, DrbdAdm.dryRun(DrbdAdm.up("r3")))).stdout();
            assertTrue(up.contains("drbdsetup new-peer r3 1 --_name=peer") && up.contains("drbdsetup new-peer r3 2 --_name=third"), up);
            assertTrue(up.contains("--allow-two-primaries=yes"), up);

            String adjust = run(DrbdAdm.withConfig(file, DrbdAdm.dryRun(DrbdAdm.adjust("r3")))).stdout();
            assertTrue(adjust.contains("drbdsetup new-resource r3 0"), "adjust of a resource that is not up brings it up:\n" + adjust);
        } finally {
            deleteTree(lab);
        }
    }

    @Test
    void fileWithoutThisHost_rejectedByDrbdadm() throws Exception {
        Path lab = LabDir.create("drbd");
        try {
            DrbdController ctl = new DrbdController(RUN, lab, T);
            ctl.writeConfig(DrbdResourceConfig.fromParams("r9", params("other1:127.0.0.1,peer:127.0.0.2")));
            ProcessRunner.ProcessResult r = RUN.run(DrbdAdm.withConfig(ctl.configFile("r9"), DrbdAdm.dryRun(DrbdAdm.up("r9"))), T);
            assertTrue(r.exitCode() != 0, "drbdadm must refuse a resource with no `on " + host + "` section:\n" + r.stdout() + r.stderr());
        } finally {
            deleteTree(lab);
        }
    }

    /** drbdadm dump aligns values with a varying number of spaces; compare with single spaces. */
    private static String normalized(String dump) { return dump.replaceAll("[ \\t]+", " "); }

    private static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
