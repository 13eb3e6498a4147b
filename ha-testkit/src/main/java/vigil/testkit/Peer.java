package vigil.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A peer process started by a test, with its output in a log file; {@link #close()} stops it and its children. */
public final class Peer implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;

    private Peer(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static Peer start(String name, Path dir, List<String> argv) {
        Path log = dir.resolve(name + ".log");
        try {
            Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectInput(new File("/dev/null")).start();
            return new Peer(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " " + argv, e);
        }
    }

    /** Whether a program is on the PATH (or an absolute path that exists). */
    public static boolean installed(String program) {
        if (program.startsWith("/")) return new File(program).canExecute();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, program).canExecute()) return true;
        }
        return new File("/usr/sbin", program).canExecute() || new File("/sbin", program).canExecute();
    }

    public Process process() { return process; }

    public Path log() { return log; }

    public boolean isAlive() { return process.isAlive(); }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() { return name + " (pid " + process.pid() + ", log " + log + ")"; }

    public static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
