package vigil.api.spi;

import java.nio.file.Path;
import java.time.Duration;

/** Found through {@link java.util.ServiceLoader}: opens watchdog devices (ha-fencing provides the Linux one). */
public interface WatchdogProvider {
    /**
     * Opens, and so arms, {@code device} with {@code timeout}. Fails, leaving the device disarmed, with a message that
     * names the device and what to do when it is missing or cannot take that timeout.
     */
    Watchdog open(Path device, Duration timeout);
}
