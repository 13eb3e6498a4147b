package vigil.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline instead of sleeping and hoping. */
public final class Await {
    private Await() {}

    public static void until(Duration deadline, String what, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > end) throw new AssertionError("timed out after " + deadline + " waiting for " + what + ": " + e, e);
            }
            if (System.nanoTime() > end) throw new AssertionError("timed out after " + deadline + " waiting for " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    /** Waits until {@code supplier} returns a non-null value, and returns it. */
    public static <T> T value(Duration deadline, String what, Supplier<T> supplier) {
        Object[] box = new Object[1];
        until(deadline, what, () -> (box[0] = supplier.get()) != null);
        @SuppressWarnings("unchecked") T t = (T) box[0];
        return t;
    }
}
