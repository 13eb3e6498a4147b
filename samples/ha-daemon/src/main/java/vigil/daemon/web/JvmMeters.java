package vigil.daemon.web;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JVM and process meters of the daemon: memory pools, GC, threads, classes, JIT, CPU, open files, uptime (Micrometer's
 * binders), plus the Prometheus client's standard {@code process_cpu_seconds_total} and
 * {@code process_resident_memory_bytes}. They cost nothing between scrapes: every value is read when scraped.
 */
public final class JvmMeters implements AutoCloseable {
    private static final Path STATUS = Path.of("/proc/self/status");
    private final JvmGcMetrics gc = new JvmGcMetrics();

    private JvmMeters(MeterRegistry registry) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new JvmCompilationMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
                    .description("CPU time this process used, user and system").register(registry);
        }
        if (Files.isReadable(STATUS)) {
            Gauge.builder("process.resident.memory", JvmMeters::residentBytes).baseUnit("bytes")
                    .description("Resident memory of this process (VmRSS)").register(registry);
        }
    }

    public static JvmMeters bind(MeterRegistry registry) { return new JvmMeters(registry); }

    private static double residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0;
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    @Override
    public void close() { gc.close(); }
}
