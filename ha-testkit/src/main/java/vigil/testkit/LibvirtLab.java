package vigil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.spi.ProcessRunner;
import vigil.api.spi.ProcessRunner.ProcessResult;

/**
 * Libvirt "hosts" on one machine: each is a libvirtd + virtlogd pair in its own mount and UTS namespace
 * ({@code unshare -m -u}) with its own hostname, {@code host_uuid} and per-host {@code /etc/libvirt},
 * {@code /run/libvirt}, {@code /var/lib/libvirt}, {@code /var/log/libvirt} and {@code /var/cache/libvirt}
 * (bind mounts of directories under a short temporary directory). Two hosts can live-migrate guests to each
 * other, peer-to-peer, with a {@code tcp://127.0.0.1} migration URI (their hostnames do not resolve).
 *
 * <p>{@link #close()} stops every host's daemons and guests (their pids come from the pid files); the bind
 * mounts vanish with the namespace once its last process exits. Needs root.
 */
public final class LibvirtLab implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtLab.class);
    private static final ProcessRunner RUNNER = ProcessRunner.local();
    private static final List<String> PROGRAMS = List.of("libvirtd", "virtlogd", "unshare", "virsh", "mount", "/usr/bin/qemu-system-x86_64");
    /** Bind-mounted per host: directory under the host's dir, and where it appears inside the namespace. */
    private static final Map<String, String> MOUNTS = orderedMounts();

    private final Path dir;
    private final List<Host> hosts = new ArrayList<>();
    /** Stops the daemons and guests even when the test JVM is ended early (a build timeout, Ctrl-C). */
    private final Thread cleanup = new Thread(this::close, "libvirt-lab-cleanup");

    private LibvirtLab(Path dir) {
        this.dir = dir;
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Whether everything a host needs is installed and we run as root (ITs assume this). */
    public static boolean installed() {
        for (String p : PROGRAMS) if (!Peer.installed(p)) return false;
        return isRoot();
    }

    /** A lab in a fresh short temporary directory; start hosts with {@link #startHost}. */
    public static LibvirtLab create() {
        if (!isRoot()) throw new IllegalStateException("LibvirtLab needs root (mount namespaces, guests run as root)");
        return new LibvirtLab(LabDir.create("vl"));
    }

    public Path dir() { return dir; }

    /** Starts a host named {@code name} (also its hostname) with a host_uuid derived from its position in the lab. */
    public synchronized Host startHost(String name) {
        return startHost(name, UUID.fromString(String.format("00000000-0000-4000-8000-%012x", hosts.size() + 1)));
    }

    public synchronized Host startHost(String name, UUID hostUuid) {
        if (!name.matches("[a-z][a-z0-9-]{0,30}")) throw new IllegalArgumentException("host name must be a short hostname, got \"" + name + "\"");
        for (Host h : hosts) {
            if (h.name.equals(name)) throw new IllegalArgumentException("host " + name + " already exists in " + dir);
            if (h.hostUuid.equals(hostUuid)) throw new IllegalArgumentException("host_uuid " + hostUuid + " already used by " + h.name);
        }
        Host h = new Host(name, hostUuid, dir.resolve(name));
        h.prepare();
        hosts.add(h);
        h.start();
        return h;
    }

    public synchronized List<Host> hosts() { return List.copyOf(hosts); }

    /**
     * The URI host {@code name} of this lab has (or will have). With a placeholder such as {@code "{node}"} it gives
     * one URI pattern for all hosts, for configurations shared by nodes named like the hosts.
     */
    public String uriFor(String name) { return "qemu+unix:///system?socket=" + dir.resolve(name).resolve("run/libvirt-sock"); }

    @Override
    public synchronized void close() {
        if (Thread.currentThread() != cleanup) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) anyway
            }
        }
        for (Host h : hosts) {
            try {
                h.close();
            } catch (RuntimeException e) {
                LOG.warn("{}: stopping failed: {}", h.name, e.toString());
            }
        }
        deleteTree(dir);
    }

    /**
     * Whether the {@code /dev/kvm} device can be opened (root, nested virtualization): then guests use
     * {@code type='kvm'}. Opened without CREATE: on a host without KVM a probe must not leave a regular file there,
     * which would make every later probe (and libvirt) believe KVM exists.
     */
    public static boolean kvmUsable() {
        Path dev = Path.of("/dev/kvm");
        if (!Files.exists(dev) || Files.isRegularFile(dev)) return false;
        try (FileChannel c = FileChannel.open(dev, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** A tiny guest: 64 MiB, no disk, KVM when usable, otherwise TCG. */
    public static String guestXml(String name) { return guestXml(name, kvmUsable()); }

    public static String guestXml(String name, boolean kvm) {
        return "<domain type='" + (kvm ? "kvm" : "qemu") + "'>\n"
                + "  <name>" + name + "</name>\n"
                + "  <memory unit='MiB'>64</memory>\n"
                + "  <vcpu>1</vcpu>\n"
                + "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
                + "  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>\n"
                + "  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>\n"
                + "</domain>\n";
    }

    /** The shell script run inside {@code unshare -m -u}: hostname, bind mounts, then the daemons. */
    static String namespaceScript(String name, Path hostDir, boolean startVirtlogd) {
        StringBuilder s = new StringBuilder("set -e\nhostname ").append(name).append('\n');
        MOUNTS.forEach((sub, target) -> s.append("mount --bind '").append(hostDir.resolve(sub)).append("' ").append(target).append('\n'));
        if (startVirtlogd) {
            s.append("virtlogd -d -p '").append(hostDir.resolve("virtlogd.pid")).append("' </dev/null >>'")
                    .append(hostDir.resolve("virtlogd.out")).append("' 2>&1\n");
        }
        s.append("libvirtd -d -p '").append(hostDir.resolve("libvirtd.pid")).append("' </dev/null >>'")
                .append(hostDir.resolve("libvirtd.out")).append("' 2>&1\n");
        return s.toString();
    }

    static List<String> unshareArgv(String script) { return List.of("unshare", "-m", "-u", "--propagation", "private", "sh", "-c", script); }

    /** One libvirt host. */
    public static final class Host implements AutoCloseable {
        private final String name;
        private final UUID hostUuid;
        private final Path dir;

        private Host(String name, UUID hostUuid, Path dir) {
            this.name = name;
            this.hostUuid = hostUuid;
            this.dir = dir;
        }

        public String name() { return name; }

        public UUID hostUuid() { return hostUuid; }

        public Path dir() { return dir; }

        public Path socket() { return dir.resolve("run/libvirt-sock"); }

        /** The URI clients (and a peer's libvirtd, for peer-to-peer migration) use to reach this host. */
        public String uri() { return "qemu+unix:///system?socket=" + socket(); }


        /** libvirtd's own log (warnings and errors). */
        public Path log() { return dir.resolve("log/libvirtd.log"); }

        /** The pid of this host's libvirtd, if it runs. */
        public OptionalLong libvirtdPid() { return livePid(dir.resolve("libvirtd.pid"), "libvirtd"); }

        public boolean libvirtdRunning() { return libvirtdPid().isPresent(); }

        /** The QEMU processes of this host's guests that are alive, by guest name (from libvirt's pid files). */
        public Map<String, Long> qemuPids() {
            Map<String, Long> out = new TreeMap<>();
            Path qemuRun = dir.resolve("run/qemu");
            if (!Files.isDirectory(qemuRun)) return out;
            try (Stream<Path> files = Files.list(qemuRun)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String file = f.getFileName().toString();
                    if (!file.endsWith(".pid") || file.equals("driver.pid")) continue;
                    livePid(f, "qemu").ifPresent(pid -> out.put(file.substring(0, file.length() - 4), pid));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        }

        private void prepare() {
            try {
                for (String sub : MOUNTS.keySet()) Files.createDirectories(dir.resolve(sub));
                for (String conf : List.of("libvirt.conf", "libvirt-admin.conf")) {
                    Path src = Path.of("/etc/libvirt", conf);
                    if (Files.isRegularFile(src)) Files.copy(src, dir.resolve("etc").resolve(conf));
                }
                Files.writeString(dir.resolve("etc/libvirtd.conf"), "host_uuid = \"" + hostUuid + "\"\n"
                        + "log_outputs = \"3:file:/var/log/libvirt/libvirtd.log\"\n");
                Files.writeString(dir.resolve("etc/virtlogd.conf"), "log_outputs = \"3:file:/var/log/libvirt/virtlogd.log\"\n");
                // guests run as root (type='kvm' needs it) and without cgroups (none are delegated here)
                Files.writeString(dir.resolve("etc/qemu.conf"), "user = \"root\"\ngroup = \"root\"\ncgroup_controllers = [ ]\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare libvirt host " + name + " in " + dir, e);
            }
        }

        /** Starts the daemons (virtlogd only if it is not still running) and waits until libvirtd answers. */
        private void start() {
            boolean virtlogd = livePid(dir.resolve("virtlogd.pid"), "virtlogd").isEmpty();
            ProcessResult r = RUNNER.run(unshareArgv(namespaceScript(name, dir, virtlogd)), Duration.ofSeconds(60));
            if (!r.ok()) {
                throw new IllegalStateException("libvirt host " + name + " did not start (exit " + r.exitCode() + "): " + r.stderr().strip()
                        + tail(dir.resolve("libvirtd.out")) + tail(log()));
            }
            Await.until(Duration.ofSeconds(60), "libvirtd of host " + name + " answering on " + socket(), () -> {
                if (libvirtdPid().isEmpty()) return true; // reported below, without waiting for the deadline
                if (!socketAccepts(socket())) return false;
                ProcessResult v = RUNNER.run(List.of("virsh", "-q", "-c", uri(), "hostname"), Duration.ofSeconds(20));
                return v.ok() && v.stdout().strip().equals(name);
            });
            if (libvirtdPid().isEmpty()) throw new IllegalStateException("libvirtd of host " + name + " exited:" + tail(log()) + tail(dir.resolve("libvirtd.out")));
            LOG.info("{}: libvirtd up (pid {}, host_uuid {}) at {}", name, libvirtdPid().orElse(-1), hostUuid, uri());
        }

        /** Starts libvirtd again after {@link #killLibvirtd()} or {@link #crash()}; it reconnects to guests still running. */
        public synchronized void restart() {
            if (libvirtdRunning()) throw new IllegalStateException("libvirtd of " + name + " still runs (pid " + libvirtdPid().getAsLong() + ")");
            start();
        }

        /** SIGKILLs libvirtd only: the host's management dies, its guests keep running. */
        public synchronized void killLibvirtd() {
            libvirtdPid().ifPresent(pid -> kill(pid, true));
            Await.until(Duration.ofSeconds(30), "libvirtd of " + name + " gone", () -> !libvirtdRunning());
        }

        /**
         * SIGSTOPs libvirtd and every guest's QEMU: the host hangs (its sockets stay open, nothing answers), as a
         * machine does before a watchdog or a fence takes it down. Follow with {@link #crash()}.
         */
        public synchronized void freeze() {
            List<Long> pids = new ArrayList<>();
            libvirtdPid().ifPresent(pids::add);
            pids.addAll(qemuPids().values());
            for (long pid : pids) {
                ProcessResult r = RUNNER.run(List.of("kill", "-STOP", Long.toString(pid)), Duration.ofSeconds(10));
                if (!r.ok()) throw new IllegalStateException("cannot freeze pid " + pid + " of host " + name + ": " + r.stderr().strip());
            }
        }

        /**
         * SIGKILLs the whole host: libvirtd, virtlogd and every guest, as when the machine loses power. Its
         * {@code /run/libvirt} is emptied as a reboot empties that tmpfs, so {@link #restart()} boots a host that
         * remembers no running guest (after {@link #killLibvirtd()} it reconnects to them instead).
         */
        public synchronized void crash() {
            stopAll(true);
            Path run = dir.resolve("run");
            try (Stream<Path> s = Files.list(run)) {
                for (Path p : (Iterable<Path>) s::iterator) deleteTree(p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot empty " + run + " of crashed host " + name, e);
            }
        }

        @Override
        public synchronized void close() {
            stopAll(false);
        }

        private void stopAll(boolean force) {
            List<Long> pids = new ArrayList<>();
            libvirtdPid().ifPresent(pids::add);
            pids.addAll(qemuPids().values());
            livePid(dir.resolve("virtlogd.pid"), "virtlogd").ifPresent(pids::add);
            for (long pid : pids) kill(pid, force);
            try {
                Await.until(Duration.ofSeconds(20), "processes of host " + name + " " + pids + " gone", () -> pids.stream().noneMatch(LibvirtLab::alive));
            } catch (AssertionError e) {
                for (long pid : pids) kill(pid, true);
                Await.until(Duration.ofSeconds(20), "processes of host " + name + " " + pids + " gone after SIGKILL", () -> pids.stream().noneMatch(LibvirtLab::alive));
            }
        }

        @Override
        public String toString() { return name + " (" + uri() + ")"; }
    }

    private static Map<String, String> orderedMounts() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("etc", "/etc/libvirt");
        m.put("run", "/run/libvirt");
        m.put("lib", "/var/lib/libvirt");
        m.put("log", "/var/log/libvirt");
        m.put("cache", "/var/cache/libvirt");
        return java.util.Collections.unmodifiableMap(m);
    }

    private static boolean socketAccepts(Path socket) {
        if (!Files.exists(socket)) return false;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The pid in {@code pidFile} if that process is alive and its command line mentions {@code program} (pids get reused). */
    private static OptionalLong livePid(Path pidFile, String program) {
        try {
            if (!Files.isRegularFile(pidFile)) return OptionalLong.empty();
            String s = Files.readString(pidFile).strip();
            if (s.isEmpty()) return OptionalLong.empty();
            long pid = Long.parseLong(s);
            if (!alive(pid)) return OptionalLong.empty();
            byte[] cmd = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String cmdline = new String(cmd, StandardCharsets.UTF_8).replace('\0', ' ');
            return cmdline.contains(program) ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Alive and not a zombie (killed daemons were re-parented and may wait to be reaped). */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            char state = stat.charAt(close + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void kill(long pid, boolean force) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        h.ifPresent(p -> {
            if (force) p.destroyForcibly();
            else p.destroy();
        });
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[1].equals("0");
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static String tail(Path file) {
        try {
            if (!Files.isRegularFile(file)) return "";
            List<String> lines = Files.readAllLines(file);
            return "\n  " + file.getFileName() + ": " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot delete lab dir {}: {}", root, e.toString());
        }
    }
}
