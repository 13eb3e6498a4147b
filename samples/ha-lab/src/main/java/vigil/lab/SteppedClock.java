package vigil.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;

/**
 * A lab node's wall clock: the system clock plus an offset the harness writes to a file ({@link LocalCluster#stepClock}),
 * so a test can step one node's clock as NTP or an operator would, without touching the machine's clock (which the
 * other nodes, the harness and every other process here share). Only what reads the node's {@link InstantSource} sees
 * the step: Vigil's own time keeping; the JVM's and the libraries' clocks do not move.
 */
final class SteppedClock implements InstantSource {
    private final Path offsetFile;
    private volatile Duration offset = Duration.ZERO;

    SteppedClock(Path offsetFile) {
        this.offsetFile = offsetFile;
        reload();
        Thread t = new Thread(this::follow, "clock-offset");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public Instant instant() { return Instant.now().plus(offset); }

    private void follow() {
        while (true) {
            reload();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void reload() {
        try {
            Duration d = Files.exists(offsetFile) ? Duration.parse(Files.readString(offsetFile).trim()) : Duration.ZERO;
            if (!d.equals(offset)) System.out.println(Instant.now() + " wall clock stepped to " + d + " off the system clock");
            offset = d;
        } catch (IOException | DateTimeParseException e) {
            // being written: the next read gets it
        }
    }
}
