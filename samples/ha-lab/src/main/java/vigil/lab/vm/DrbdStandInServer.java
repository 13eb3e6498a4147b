package vigil.lab.vm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vigil.api.spi.ProcessRunner;

/**
 * Serves a {@link DrbdKernelStandIn} to node processes: each node gets a directory with {@code drbdadm} and
 * {@code drbdsetup} scripts to put first on its PATH; they send their node id, tool and arguments over a local socket,
 * and print what the stand-in answered, with its exit code. So the real drbd driver of each separate node process runs
 * its real argv against one shared stand-in for the two hosts' kernels (the DRBD kernel module cannot load here).
 */
public final class DrbdStandInServer implements AutoCloseable {
    private final DrbdKernelStandIn standIn;
    private final ServerSocket socket;
    private final Thread acceptor;

    public DrbdStandInServer(DrbdKernelStandIn standIn) { this(standIn, InetAddress.getLoopbackAddress()); }

    /** Listening on {@code address}: one the node processes reach (for nodes in their own network namespaces, the host side of their network). */
    public DrbdStandInServer(DrbdKernelStandIn standIn, InetAddress address) {
        this.standIn = standIn;
        try {
            this.socket = new ServerSocket(0, 50, address);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.acceptor = new Thread(this::accept, "drbd-stand-in");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Writes {@code node}'s drbdadm and drbdsetup into {@code dir} (to go first on its PATH) and returns {@code dir}. */
    public Path toolsFor(String node, Path dir) {
        String script = "#!/bin/bash\n"
                + "# drbd-utils stand-in for node " + node + ": the DRBD kernel module cannot load on this machine; the lab's\n"
                + "# DrbdKernelStandIn answers for both hosts' kernels.\n"
                + "exec 3<>/dev/tcp/" + socket.getInetAddress().getHostAddress() + "/" + socket.getLocalPort() + " || exit 20\n"
                + "{ printf '%s\\n' '" + node + "' \"$(basename \"$0\")\" \"$#\"; for a in \"$@\"; do printf '%s\\n' \"$a\"; done; } >&3\n"
                + "IFS= read -r code <&3; IFS= read -r outlen <&3; IFS= read -r errlen <&3\n"
                + "out=''; err=''\n"
                + "if [ \"$outlen\" -gt 0 ]; then IFS= read -r -N \"$outlen\" out <&3; fi\n"
                + "if [ \"$errlen\" -gt 0 ]; then IFS= read -r -N \"$errlen\" err <&3; fi\n"
                + "printf '%s' \"$out\"; printf '%s' \"$err\" >&2\n"
                + "exit \"$code\"\n";
        try {
            Files.createDirectories(dir);
            for (String tool : List.of("drbdadm", "drbdsetup")) {
                Path f = dir.resolve(tool);
                Files.writeString(f, script);
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** The environment that puts {@code tools} first on a node's PATH. */
    public static Map<String, String> path(Path tools) { return Map.of("PATH", tools + ":" + System.getenv("PATH")); }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Thread t = new Thread(() -> serve(s), "drbd-stand-in-call");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String node = in.readLine();
            List<String> argv = new ArrayList<>();
            argv.add(in.readLine());
            int argc = Integer.parseInt(in.readLine().trim());
            for (int i = 0; i < argc; i++) argv.add(in.readLine());
            ProcessRunner.ProcessResult r;
            try {
                r = standIn.runnerFor(node).run(argv, Map.of(), "", Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                r = new ProcessRunner.ProcessResult(20, "", "stand-in: " + e.getMessage() + "\n", false, Duration.ZERO);
            }
            byte[] out = r.stdout().getBytes(StandardCharsets.US_ASCII);
            byte[] err = r.stderr().getBytes(StandardCharsets.US_ASCII);
            OutputStream o = s.getOutputStream();
            o.write((r.exitCode() + "\n" + out.length + "\n" + err.length + "\n").getBytes(StandardCharsets.US_ASCII));
            o.write(out);
            o.write(err);
            o.flush();
        } catch (IOException | RuntimeException e) {
            // the caller sees a broken answer and the driver a failed command: that is what it must cope with anyway
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a listening socket
        }
    }
}
