package vigil.daemon.cli;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import vigil.api.VigilException;

/**
 * A command another module implements as {@code static int run(String[] args, PrintStream out, PrintStream err)},
 * found by class name at run time, so that the daemon does not depend on the lab, and a build without that module says
 * so instead of failing to compile. A subclass declares the module's options for {@code --help} and completion; the
 * arguments are handed over exactly as typed (options the module gained since are handed over too), and the module
 * checks them. {@code --help} is answered here and never runs the module.
 */
public abstract class DelegatedCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    /** Whatever this class does not declare: handed over too, for the module to accept or refuse. */
    @Unmatched List<String> undeclared;

    private final String className;
    private final boolean withName;

    /** @param withName whether the module expects its own name first ({@code resolve --discard n2}) */
    protected DelegatedCommand(String className, boolean withName) {
        this.className = className;
        this.withName = withName;
    }

    protected DelegatedCommand(String className) { this(className, false); }

    @Override
    public Integer call() {
        CliContext ctx = CliContext.of(spec);
        return delegate(CliContext.commandName(spec), className, arguments(), ctx.out(), ctx.err());
    }

    /** The arguments after this command's name, as typed. */
    private List<String> arguments() {
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        int names = CliContext.commandName(spec).split(" ").length;
        return new ArrayList<>(all.subList(withName ? names - 1 : names, all.size()));
    }

    /** Runs {@code className}'s {@code run(String[], PrintStream, PrintStream)}; its return value is the exit code. */
    public static int delegate(String name, String className, List<String> args, PrintStream out, PrintStream err) {
        Method run;
        try {
            run = Class.forName(className).getMethod("run", String[].class, PrintStream.class, PrintStream.class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            err.println("vigil: '" + name + "' is not available in this build (" + className + " is missing from the classpath)");
            return 1;
        }
        try {
            return (Integer) run.invoke(null, args.toArray(new String[0]), out, err);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof VigilException) {
                err.println("vigil: " + cause.getMessage());
                return 1;
            }
            err.println("vigil: " + name + " failed: " + cause);
            return 1;
        } catch (IllegalAccessException e) {
            err.println("vigil: '" + name + "' cannot be run: " + e.getMessage());
            return 1;
        }
    }
}
