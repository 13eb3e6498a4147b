package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The argv builders, checked without running anything. */
class DrbdArgvTest {

    @Test
    void drbdadm_commands() {
        assertEquals(List.of("drbdadm", "create-md", "--force", "r0"), DrbdAdm.createMd("r0"));
        assertEquals(List.of("drbdadm", "up", "r0"), DrbdAdm.up("r0"));
        assertEquals(List.of("drbdadm", "adjust", "r0"), DrbdAdm.adjust("r0"));
        assertEquals(List.of("drbdadm", "down", "r0"), DrbdAdm.down("r0"));
        assertEquals(List.of("drbdadm", "primary", "r0"), DrbdAdm.primary("r0", false));
        assertEquals(List.of("drbdadm", "primary", "--force", "r0"), DrbdAdm.primary("r0", true));
        assertEquals(List.of("drbdadm", "secondary", "r0"), DrbdAdm.secondary("r0"));
        assertEquals(List.of("drbdadm", "connect", "--discard-my-data", "r0"), DrbdAdm.connect("r0", true));
        assertEquals(List.of("drbdadm", "connect", "r0"), DrbdAdm.connect("r0", false));
        assertEquals(List.of("drbdadm", "disconnect", "r0"), DrbdAdm.disconnect("r0"));
        assertEquals(List.of("drbdadm", "outdate", "r0"), DrbdAdm.outdate("r0"));
    }

    @Test
    void drbdadm_withConfigAndDryRun_insertOptionsAfterProgram() {
        assertEquals(List.of("drbdadm", "-c", "/etc/drbd.d/r0.res", "up", "r0"), DrbdAdm.withConfig(Path.of("/etc/drbd.d/r0.res"), DrbdAdm.up("r0")));
        assertEquals(List.of("drbdadm", "-d", "up", "r0"), DrbdAdm.dryRun(DrbdAdm.up("r0")));
        assertThrows(IllegalArgumentException.class, () -> DrbdAdm.withConfig(Path.of("x"), DrbdSetup.secondary("r0")));
    }

    @Test
    void drbdsetup_commands() {
        assertEquals(List.of("drbdsetup", "primary", "r0"), DrbdSetup.primary("r0", false));
        assertEquals(List.of("drbdsetup", "primary", "r0", "--force"), DrbdSetup.primary("r0", true));
        assertEquals(List.of("drbdsetup", "secondary", "r0"), DrbdSetup.secondary("r0"));
        assertEquals(List.of("drbdsetup", "status", "r0", "--json", "--verbose", "--statistics"), DrbdSetup.statusJson("r0"));
        assertEquals(List.of("drbdsetup", "events2", "--now", "--statistics", "r0"), DrbdSetup.events2Now("r0"));
        assertEquals(List.of("drbdsetup", "events2", "--statistics", "r0"), DrbdSetup.events2("r0"));
        assertEquals(List.of("drbdsetup", "net-options", "r0", "1", "--allow-two-primaries=yes"), DrbdSetup.allowTwoPrimaries("r0", 1, true));
        assertEquals(List.of("drbdsetup", "net-options", "r0", "1", "--allow-two-primaries=no"), DrbdSetup.allowTwoPrimaries("r0", 1, false));
    }

    @Test
    void resourceName_withShellMetacharactersOrOptionLike_rejected() {
        assertThrows(IllegalArgumentException.class, () -> DrbdAdm.up("r0; reboot"));
        assertThrows(IllegalArgumentException.class, () -> DrbdAdm.up("--force"));
        assertThrows(IllegalArgumentException.class, () -> DrbdSetup.statusJson(""));
        assertThrows(IllegalArgumentException.class, () -> DrbdSetup.allowTwoPrimaries("r0", 32, true));
    }
}
