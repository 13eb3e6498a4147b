package vigil.lab;

import java.util.Arrays;

/** Runs a lab command directly: {@code demo}, {@code chaos ...} or {@code bench-failover ...} (bin/vigil dispatches here too). */
public final class LabMain {
    private LabMain() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: LabMain demo | chaos [--schedules N --seed S --nodes 2|3|5] | bench-failover [--runs N]");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        int code = switch (args[0]) {
            case "demo" -> Demo.run(rest, System.out, System.err);
            case "chaos" -> Chaos.run(rest, System.out, System.err);
            case "bench-failover" -> FailoverBench.run(rest, System.out, System.err);
            default -> {
                System.err.println("unknown lab command \"" + args[0] + "\": use demo, chaos or bench-failover");
                yield 2;
            }
        };
        System.out.flush();
        System.exit(code);
    }
}
