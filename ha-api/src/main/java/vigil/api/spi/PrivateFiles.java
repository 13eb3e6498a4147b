package vigil.api.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files only this process's user may read: directories are created 0700 and files 0600 when they are created (never
 * made private afterwards, which leaves a window), and whole files are written atomically and synced. Vigil keeps its
 * Raft data, snapshots (which hold fence passwords), tokens and generated configuration this way.
 */
public final class PrivateFiles {
    /** Owner read and write only, for {@link Files#createFile} and {@link FileChannel#open}. */
    public static final FileAttribute<Set<PosixFilePermission>> FILE = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    /** Owner only. */
    public static final FileAttribute<Set<PosixFilePermission>> DIRECTORY = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private PrivateFiles() {}

    /** Creates {@code dir} and any missing parents owner-only; existing directories are left as they are. */
    public static Path createDirectories(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) return dir;
        Path parent = abs.getParent();
        if (parent != null && !Files.isDirectory(parent)) createDirectories(parent);
        try {
            Files.createDirectory(abs, DIRECTORY);
        } catch (FileAlreadyExistsException raced) {
            if (!Files.isDirectory(abs)) throw raced;
        }
        return dir;
    }

    /** Writes {@code bytes} to {@code file} atomically (a temporary file beside it, then a rename), 0600, synced. */
    public static void write(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) syncDirectory(parent);
    }

    public static void writeString(Path file, String text) throws IOException { write(file, text.getBytes(StandardCharsets.UTF_8)); }

    /** Makes a rename or a new file in {@code dir} durable. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a directory; the rename itself is still atomic
            if (e.getMessage() == null || !e.getMessage().contains("Is a directory")) throw e;
        }
    }

    /** Whether others than the owner may read, write or enter {@code path}. */
    public static boolean openToOthers(Path path) throws IOException {
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(path);
        return p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.GROUP_EXECUTE)
                || p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.OTHERS_WRITE) || p.contains(PosixFilePermission.OTHERS_EXECUTE);
    }
}
