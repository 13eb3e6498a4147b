package vigil.engine.scheduler;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import vigil.api.status.ClusterState;

/**
 * Allocation and CPU time per {@link Scheduler#plan} on the benchmark shapes, measured on this thread (ThreadMXBean), so
 * a busy machine disturbs it less than wall-clock time. Given directories of ha-engine classes as arguments, it loads
 * each in its own class loader (ha-api and the rest shared) and alternates between them plan by plan, which compares
 * two builds in one JVM: {@code java -cp <test classpath> vigil.engine.scheduler.PlanCost rounds dirA dirB}.
 */
public final class PlanCost {
    private PlanCost() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        List<String> dirs = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of();
        List<String> names = new ArrayList<>();
        List<Method> plans = new ArrayList<>();
        if (dirs.isEmpty()) {
            names.add("this");
            plans.add(Scheduler.class.getMethod("plan", ClusterState.class));
        }
        for (String dir : dirs) {
            ClassLoader cl = new EngineFirst(new URL[] {Path.of(dir).toUri().toURL()}, PlanCost.class.getClassLoader());
            names.add(dir);
            plans.add(cl.loadClass("vigil.engine.scheduler.Scheduler").getMethod("plan", ClusterState.class));
        }
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        for (int resources : new int[] {1000, 10000}) {
            ClusterState state = SyntheticCluster.generate(SyntheticCluster.Spec.bench(100, resources), 42);
            int n = resources == 1000 ? rounds * 5 : rounds;
            long[][] bytes = new long[plans.size()][n], cpu = new long[plans.size()][n];
            for (int warm = 0; warm < n; warm++) for (Method plan : plans) plan.invoke(null, state);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < plans.size(); k++) {
                    long b0 = mx.getThreadAllocatedBytes(tid), c0 = mx.getThreadCpuTime(tid);
                    plans.get(k).invoke(null, state);
                    cpu[k][i] = mx.getThreadCpuTime(tid) - c0;
                    bytes[k][i] = mx.getThreadAllocatedBytes(tid) - b0;
                }
            }
            for (int k = 0; k < plans.size(); k++) {
                Arrays.sort(bytes[k]);
                Arrays.sort(cpu[k]);
                System.out.printf(Locale.ROOT, "%dx100 %-40s alloc/plan median %.3f MB  cpu/plan median %.2f ms  min %.2f ms  (%d plans)%n",
                        resources, names.get(k), bytes[k][n / 2] / 1e6, cpu[k][n / 2] / 1e6, cpu[k][0] / 1e6, n);
            }
        }
    }

    /** Loads vigil.engine classes from its own directory before asking the parent. */
    private static final class EngineFirst extends URLClassLoader {
        EngineFirst(URL[] urls, ClassLoader parent) { super(urls, parent); }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("vigil.engine.")) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        c = super.loadClass(name, false);
                    }
                }
                if (resolve) resolveClass(c);
                return c;
            }
        }
    }
}
