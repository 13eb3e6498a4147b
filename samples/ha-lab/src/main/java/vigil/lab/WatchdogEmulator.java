package vigil.lab;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stand-in for softdog, whose kernel module cannot load on the lab's machines: a separate process that watches a
 * regular file as a node's watchdog device and SIGKILLs the node's process when the file was not written for the
 * timeout once armed, as the kernel resets a host whose watchdog is not fed. Killing the node process is the lab's
 * host reset (the harness restarts it as a rebooted host).
 *
 * <p>Like the device it emulates: the file exists only while the emulator runs (it creates it, and removes it when it
 * exits), so a node started without its emulator finds no device and arms nothing; the first write arms it, every
 * write feeds it, and a last write of the magic character {@code V} disarms it until the next write. It exits when the
 * node's process is gone, and after it fired (exit status {@value #FIRED}).
 *
 * <p>Arguments: {@code --device FILE --timeout DURATION --pid-file FILE} (the node writes its pid there when it starts).
 */
public final class WatchdogEmulator {
    /** The exit status after the emulator killed the node. */
    public static final int FIRED = 10;

    private WatchdogEmulator() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args, List.of("device", "timeout", "pid-file"));
        Path device = Path.of(a.get("device"));
        Duration timeout = vigil.api.model.Durations.parse("timeout", a.get("timeout"));
        Path pidFile = Path.of(a.get("pid-file"));
        Files.deleteIfExists(device);
        Files.createFile(device);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(device);
            } catch (IOException ignored) {
                // the harness removes stale devices before it starts a node
            }
        }, "remove-device"));
        say("watching " + device + ", timeout " + timeout.toMillis() + " ms, node pid from " + pidFile);
        System.exit(watch(device, timeout, pidFile));
    }

    private static int watch(Path device, Duration timeout, Path pidFile) throws InterruptedException, IOException {
        long poll = Math.max(5, Math.min(50, timeout.toMillis() / 20));
        long size = 0;
        long lastWrite = 0;
        boolean armed = false;
        Optional<ProcessHandle> node = Optional.empty();
        while (true) {
            if (node.isEmpty()) node = readPid(pidFile);
            if (node.isPresent() && !node.get().isAlive()) {
                say("node process " + node.get().pid() + " is gone");
                return 0;
            }
            long now = System.nanoTime();
            long s = Files.size(device);
            if (s != size) {
                size = s;
                lastWrite = now;
                boolean magicClose = lastByte(device, s) == 'V';
                if (magicClose && armed) say("disarmed (magic close)");
                if (!magicClose && !armed) say("armed");
                armed = !magicClose;
            }
            if (armed && Duration.ofNanos(now - lastWrite).compareTo(timeout) > 0) {
                if (node.isEmpty()) {
                    say("not fed for " + timeout.toMillis() + " ms but the node's pid is unknown; nothing to reset");
                    return 1;
                }
                say("not fed for " + Duration.ofNanos(now - lastWrite).toMillis() + " ms: SIGKILL " + node.get().pid());
                node.get().destroyForcibly();
                return FIRED;
            }
            Thread.sleep(poll);
        }
    }

    private static Optional<ProcessHandle> readPid(Path pidFile) {
        try {
            return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
        } catch (IOException | NumberFormatException notYet) {
            return Optional.empty();
        }
    }

    private static int lastByte(Path device, long size) throws IOException {
        if (size == 0) return -1;
        try (RandomAccessFile f = new RandomAccessFile(device.toFile(), "r")) {
            f.seek(size - 1);
            return f.read();
        }
    }

    private static void say(String what) { System.out.println(Instant.now() + " watchdog emulator: " + what); }
}
