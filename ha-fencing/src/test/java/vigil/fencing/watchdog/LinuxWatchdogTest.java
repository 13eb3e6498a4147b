package vigil.fencing.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.ConfigException;
import vigil.api.spi.Watchdog;

/**
 * This machine cannot load softdog or any watchdog driver: a regular file stands in for the device (the lab's watchdog
 * emulator watches such a file), and {@code /dev/null} is a character device that is not a watchdog.
 */
class LinuxWatchdogTest {
    @TempDir
    Path dir;

    @Test
    void aStandInFileIsWrittenOnOpenAndEveryFeed_andDisarmedWithTheMagicV() throws Exception {
        Path dev = Files.createFile(dir.resolve("watchdog"));
        Watchdog w = new LinuxWatchdog.Provider().open(dev, Duration.ofSeconds(3));
        assertEquals(Duration.ofSeconds(3), w.timeout());
        w.feed();
        assertEquals("..", Files.readString(dev), "opening arms and feeds once");
        w.disarm();
        assertEquals("..V", Files.readString(dev));
    }

    @Test
    void abandoningLeavesItArmed() throws Exception {
        Path dev = Files.createFile(dir.resolve("watchdog"));
        Watchdog w = LinuxWatchdog.open(dev, Duration.ofSeconds(3));
        w.abandon();
        assertEquals(".", Files.readString(dev), "no magic V: the watchdog still resets the host");
    }

    @Test
    void aMissingDeviceIsRefusedSayingWhatToLoad() {
        ConfigException e = assertThrows(ConfigException.class, () -> LinuxWatchdog.open(dir.resolve("no-such-watchdog"), Duration.ofSeconds(3)));
        assertEquals("watchdog", e.field());
        assertTrue(e.getMessage().contains("softdog"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("no-such-watchdog")), "nothing created: a device exists only while something watches it");
    }

    @Test
    void aCharacterDeviceThatIsNoWatchdogIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> LinuxWatchdog.open(Path.of("/dev/null"), Duration.ofMillis(2500)));
        assertTrue(e.getMessage().contains("cannot set the timeout of watchdog /dev/null to 3 s") && e.getMessage().contains("not a watchdog"),
                e.getMessage());
    }

    @Test
    void aTimeoutOfZeroIsRefused() throws Exception {
        Path dev = Files.createFile(dir.resolve("watchdog"));
        assertEquals("properties.watchdog-timeout", assertThrows(ConfigException.class, () -> LinuxWatchdog.open(dev, Duration.ZERO)).field());
    }
}
