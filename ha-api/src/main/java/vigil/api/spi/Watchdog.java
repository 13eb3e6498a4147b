package vigil.api.spi;

import java.io.IOException;
import java.time.Duration;

/**
 * An armed watchdog device: it resets this host unless it is written to within its timeout (Linux
 * {@code /dev/watchdog}, softdog or a hardware watchdog; see
 * https://www.kernel.org/doc/html/latest/watchdog/watchdog-api.html). {@link WatchdogProvider#open} arms it.
 */
public interface Watchdog {
    /** The timeout the device really has: the host resets this long after the last {@link #feed}. */
    Duration timeout();

    /** Keeps the host up for another {@link #timeout()}. A failure means the host will reset. */
    void feed() throws IOException;

    /** Orderly end: disarms the device (the magic close), so it no longer resets the host. */
    void disarm();

    /** Lets go of the device without disarming it: the host resets within the timeout of the last feed. */
    void abandon();
}
