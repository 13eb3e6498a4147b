package vigil.engine.ocf;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OCF driver's own temporary directory: one per process, and what killed processes left behind is removed. */
class OcfPrivateDirectoryTest {
    @TempDir Path tmp;

    @Test
    void leftoversOfProcessesThatNoLongerRun_areRemoved_everythingElseStays() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long deadPid = gone.pid();
        Path left = Files.createDirectories(tmp.resolve("vigil-ocf-" + deadPid + "-123").resolve("scores"));
        Files.writeString(left.resolve("drbd1"), "10000");
        Path running = Files.createDirectories(tmp.resolve("vigil-ocf-" + ProcessHandle.current().pid() + "-456"));
        Path otherName = Files.createDirectories(tmp.resolve("vigil-ocf-789"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "x");
        Path link = Files.createSymbolicLink(tmp.resolve("vigil-ocf-" + deadPid + "-link"), outside);

        Path own = OcfDriverProvider.ownTemporaryDirectory(tmp);

        assertTrue(Files.isDirectory(own) && own.getFileName().toString().startsWith("vigil-ocf-" + ProcessHandle.current().pid() + "-"), own.toString());
        assertFalse(Files.exists(left.getParent()), "the directory of a process that no longer runs is removed");
        assertTrue(Files.isDirectory(running), "a running process's directory stays");
        assertTrue(Files.isDirectory(otherName), "a name this driver does not make stays");
        assertTrue(Files.exists(outside.resolve("keep")), "a link is not followed");
        assertTrue(Files.isSymbolicLink(link), "a link is not a directory of ours: it stays");
    }
}
