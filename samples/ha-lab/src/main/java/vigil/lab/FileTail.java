package vigil.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The complete lines appended to a file since the last call: a run of hours reads each ledger and evidence file once,
 * not once per schedule. A last line without its newline (its writer is still writing, or was killed mid-write) waits
 * for the next call.
 */
final class FileTail {
    private final Path file;
    private long offset;
    private byte[] partial = new byte[0];

    FileTail(Path file) { this.file = file; }

    List<String> newLines() {
        List<String> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size <= offset) return out;
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - offset, Integer.MAX_VALUE - 16));
            while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                // read until the size seen above
            }
            offset += buf.position();
            byte[] bytes = new byte[partial.length + buf.position()];
            System.arraycopy(partial, 0, bytes, 0, partial.length);
            System.arraycopy(buf.array(), 0, bytes, partial.length, buf.position());
            int from = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] != '\n') continue;
                String line = new String(bytes, from, i - from, StandardCharsets.UTF_8);
                if (!line.isBlank()) out.add(line);
                from = i + 1;
            }
            partial = java.util.Arrays.copyOfRange(bytes, from, bytes.length);
        } catch (NoSuchFileException gone) {
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}
