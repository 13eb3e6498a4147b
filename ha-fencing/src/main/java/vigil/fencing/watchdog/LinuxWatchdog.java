package vigil.fencing.watchdog;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.ConfigException;
import vigil.api.spi.Watchdog;
import vigil.api.spi.WatchdogProvider;

/**
 * The Linux watchdog API (https://www.kernel.org/doc/html/latest/watchdog/watchdog-api.html): opening the device arms
 * it, {@code WDIOC_SETTIMEOUT} sets its timeout in whole seconds (rounded up) and {@code WDIOC_GETTIMEOUT} reads back
 * the one it really took, every write keeps the host up for another timeout, and writing the magic character
 * {@code V} before closing disarms it. A device that cannot take the timeout is disarmed again and refused.
 *
 * <p>A regular file stands in for the device where no watchdog driver can load (the build machines cannot load
 * softdog): the lab's watchdog emulator, a separate process that kills the node when the file is not written for its
 * timeout, creates it. Its timeout cannot be set through the file, so the one asked for is taken as the device's.
 */
public final class LinuxWatchdog implements Watchdog {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxWatchdog.class);
    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;
    /** _IOWR('W', 6, int) and _IOR('W', 7, int) from linux/watchdog.h. */
    private static final long WDIOC_SETTIMEOUT = 0xC0045706L;
    private static final long WDIOC_GETTIMEOUT = 0x80045707L;
    private static final byte[] KEEPALIVE = {'.'};
    private static final byte[] MAGIC_CLOSE = {'V'};

    interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        int ioctl(int fd, NativeLong request, IntByReference arg) throws LastErrorException;

        int write(int fd, byte[] buf, NativeLong count) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    /** Found through ServiceLoader by nodes that have a watchdog device configured. */
    public static final class Provider implements WatchdogProvider {
        @Override
        public Watchdog open(Path device, Duration timeout) { return LinuxWatchdog.open(device, timeout); }
    }

    private final Path device;
    private final Duration timeout;
    private final Channel channel;

    /** How the device is written: a file descriptor of a character device, or a file channel of a stand-in file. */
    private interface Channel {
        void write(byte[] b) throws IOException;

        void close() throws IOException;
    }

    private LinuxWatchdog(Path device, Duration timeout, Channel channel) {
        this.device = device;
        this.timeout = timeout;
        this.channel = channel;
    }

    /** Opens (arms) {@code device} with {@code timeout}; see {@link WatchdogProvider#open}. */
    public static LinuxWatchdog open(Path device, Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new ConfigException("properties.watchdog-timeout", "must be positive to arm a watchdog, got " + timeout, "set e.g. 5s");
        }
        if (Files.isRegularFile(device)) return openStandIn(device, timeout);
        if (!Files.exists(device)) {
            throw new ConfigException("watchdog", "no watchdog device " + device,
                    "load a watchdog driver (a hardware one, or softdog: modprobe softdog) or fix the node's watchdog setting");
        }
        return openDevice(device, timeout);
    }

    private static LinuxWatchdog openStandIn(Path file, Duration timeout) {
        try {
            // no CREATE: the device exists only while something watches it
            FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            LinuxWatchdog w = new LinuxWatchdog(file, timeout, new Channel() {
                @Override
                public void write(byte[] b) throws IOException { ch.write(ByteBuffer.wrap(b)); }

                @Override
                public void close() throws IOException { ch.close(); }
            });
            w.feed();
            LOG.warn("watchdog {} is a regular file, a stand-in for a device: taking its timeout as {} ms",
                    file, timeout.toMillis());
            return w;
        } catch (NoSuchFileException e) {
            throw new ConfigException("watchdog", "no watchdog device " + file, "start its emulator first");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open watchdog " + file + ": " + e.getMessage(), e);
        }
    }

    private static LinuxWatchdog openDevice(Path device, Duration timeout) {
        LibC libc = Native.load("c", LibC.class);
        int fd;
        try {
            fd = libc.open(device.toString(), O_WRONLY | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new ConfigException("watchdog", "cannot open watchdog " + device + ": errno " + e.getErrorCode()
                    + (e.getErrorCode() == 16 ? " (busy: another process, e.g. sbd or watchdogd, holds it)" : ""),
                    "run as root, and let no other process use the device");
        }
        Channel ch = new Channel() {
            @Override
            public void write(byte[] b) throws IOException {
                try {
                    libc.write(fd, b, new NativeLong(b.length));
                } catch (LastErrorException e) {
                    throw new IOException("write to " + device + " failed: errno " + e.getErrorCode(), e);
                }
            }

            @Override
            public void close() throws IOException {
                try {
                    libc.close(fd);
                } catch (LastErrorException e) {
                    throw new IOException("close of " + device + " failed: errno " + e.getErrorCode(), e);
                }
            }
        };
        long seconds = (timeout.toMillis() + 999) / 1000;
        IntByReference t = new IntByReference((int) seconds);
        try {
            libc.ioctl(fd, new NativeLong(WDIOC_SETTIMEOUT), t);
            IntByReference got = new IntByReference();
            libc.ioctl(fd, new NativeLong(WDIOC_GETTIMEOUT), got);
            Duration real = Duration.ofSeconds(got.getValue());
            LinuxWatchdog w = new LinuxWatchdog(device, real, ch);
            w.feed();
            return w;
        } catch (LastErrorException | IOException e) {
            new LinuxWatchdog(device, timeout, ch).disarm();
            String errno = e instanceof LastErrorException l ? "errno " + l.getErrorCode() + (l.getErrorCode() == 25 ? " (not a watchdog)" : "")
                    : e.getMessage();
            throw new ConfigException("watchdog", "cannot set the timeout of watchdog " + device + " to " + seconds + " s: " + errno,
                    "name a watchdog device (/dev/watchdog) that supports a " + seconds + " s timeout, or change watchdog-timeout");
        }
    }

    @Override
    public Duration timeout() { return timeout; }

    @Override
    public void feed() throws IOException { channel.write(KEEPALIVE); }

    @Override
    public void disarm() {
        try {
            channel.write(MAGIC_CLOSE);
            channel.close();
        } catch (IOException e) {
            LOG.error("watchdog {}: disarming failed, the host may reset: {}", device, e.getMessage());
        }
    }

    @Override
    public void abandon() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("watchdog {}: closing: {}", device, e.getMessage());
        }
    }
}
