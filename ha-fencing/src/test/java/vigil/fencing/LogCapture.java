package vigil.fencing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures what System.Logger writes (it goes to java.util.logging here), so tests can check no secret leaks. */
public final class LogCapture implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();
    private final Logger root = Logger.getLogger("vigil");
    private final Level before = root.getLevel();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (lines) {
                String m = r.getMessage();
                if (r.getParameters() != null && r.getParameters().length > 0) m = java.text.MessageFormat.format(m, r.getParameters());
                lines.add(r.getLevel() + " " + r.getLoggerName() + " " + m + (r.getThrown() == null ? "" : " " + r.getThrown()));
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    public LogCapture() {
        root.setLevel(Level.ALL);
        root.addHandler(handler);
    }

    public String text() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        root.setLevel(before);
    }
}
