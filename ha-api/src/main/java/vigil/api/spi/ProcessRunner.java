package vigil.api.spi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one seam through which Vigil runs external commands (resource and fence agents, ipmitool, drbdadm ...).
 * Drivers build argv with small static functions that tests check without running anything, and tests can pass
 * a recording runner where the real program cannot run.
 */
@FunctionalInterface
public interface ProcessRunner {

    /** Runs {@code argv} with extra {@code env} and {@code stdin}; kills the process tree after {@code timeout}. */
    ProcessResult run(List<String> argv, Map<String, String> env, String stdin, Duration timeout);

    default ProcessResult run(List<String> argv, Duration timeout) { return run(argv, Map.of(), "", timeout); }

    /**
     * The variables of this process a program run by {@link #local()} keeps: the search path, the locale and time
     * zone, the temporary directory and home, and resource-agents' run-time directories. Nothing else of the daemon's
     * environment reaches agents (in particular no fence device's {@code password_env} secret); what a program needs
     * beyond these, its caller passes.
     */
    java.util.Set<String> INHERITED = java.util.Set.of("PATH", "HOME", "TMPDIR", "TZ", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES",
            "LC_NUMERIC", "LC_TIME", "HA_RSCTMP", "HA_VARRUN", "HA_VARLIB", "HA_VARLOCK", "HA_DEBUG");

    /** Runs programs on this machine, each with a clean environment: {@link #INHERITED} plus the {@code env} given. */
    static ProcessRunner local() { return LocalProcessRunner.INSTANCE; }

    /** Exit code (or -1 with {@code timedOut}), captured output, and how long it took. */
    record ProcessResult(int exitCode, String stdout, String stderr, boolean timedOut, Duration took) {
        public boolean ok() { return exitCode == 0 && !timedOut; }
    }

    final class LocalProcessRunner implements ProcessRunner {
        static final LocalProcessRunner INSTANCE = new LocalProcessRunner();

        private LocalProcessRunner() {}

        @Override
        public ProcessResult run(List<String> argv, Map<String, String> env, String stdin, Duration timeout) {
            long start = System.nanoTime();
            ProcessBuilder pb = new ProcessBuilder(argv);
            Map<String, String> environment = pb.environment();
            environment.keySet().retainAll(INHERITED);
            environment.putAll(env);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                return new ProcessResult(127, "", "cannot run " + argv.get(0) + ": " + e.getMessage(), false, Duration.ofNanos(System.nanoTime() - start));
            }
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null && !stdin.isEmpty()) in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the program closed its stdin early; its exit code tells what happened
            }
            boolean finished;
            try {
                finished = p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                kill(p);
                Thread.currentThread().interrupt();
                return new ProcessResult(-1, "", "interrupted", true, Duration.ofNanos(System.nanoTime() - start));
            }
            if (!finished) kill(p);
            String o = out.join();
            String e = err.join();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            return finished ? new ProcessResult(p.exitValue(), o, e, false, took) : new ProcessResult(-1, o, e, true, took);
        }

        private static void kill(Process p) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static CompletableFuture<String> drain(InputStream s) {
            return CompletableFuture.supplyAsync(() -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                try (s) {
                    s.transferTo(b);
                } catch (IOException e) {
                    // the JDK closes a killed process's pipes, also under a reader that has not finished (seen as
                    // "Stream closed" after a timeout): what was read so far is the output
                }
                return b.toString(StandardCharsets.UTF_8);
            }, r -> { Thread t = new Thread(r, "process-output"); t.setDaemon(true); t.start(); });
        }
    }
}
