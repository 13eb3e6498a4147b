package vigil.raft;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.util.MD5FileUtil;
import vigil.api.spi.PrivateFiles;

/**
 * A snapshot on disk: {@code VIGILSN1}, the length of the encoded state (8 bytes), the encoded state, and a SHA-256
 * over all that. Read back only whole and intact: a snapshot that was cut short, edited or hit by a flipped bit is
 * refused instead of becoming this node's state.
 */
final class SnapshotFile {
    private static final byte[] MAGIC = "VIGILSN1".getBytes(StandardCharsets.US_ASCII);
    private static final int DIGEST = 32;

    private SnapshotFile() {}

    /** Why a snapshot cannot be used; its message names the file, never its content. */
    static final class CorruptSnapshotException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptSnapshotException(String message) { super(message); }
    }

    /** Writes {@code state} to {@code target} atomically, owner-only from creation, and syncs it to disk. */
    static void write(Path target, byte[] state) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        ByteBuffer header = ByteBuffer.allocate(MAGIC.length + Long.BYTES).put(MAGIC).putLong(state.length);
        header.flip();
        MessageDigest sha = sha256();
        sha.update(header.duplicate());
        sha.update(state);
        ByteBuffer digest = ByteBuffer.wrap(sha.digest());
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PrivateFiles.FILE)) {
            ByteBuffer body = ByteBuffer.wrap(state);
            while (header.hasRemaining() || body.hasRemaining() || digest.hasRemaining()) ch.write(new ByteBuffer[] {header, body, digest});
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        PrivateFiles.syncDirectory(target.getParent());
    }

    /**
     * Writes the {@code .md5} file beside a snapshot (owner-only), which Ratis checks when it sends the snapshot to a
     * follower and uses to pick the snapshot it loads; returns the digest.
     */
    static MD5Hash writeMd5(Path snapshot) throws IOException {
        MD5Hash md5 = MD5FileUtil.computeMd5ForFile(snapshot.toFile());
        PrivateFiles.writeString(MD5FileUtil.getDigestFileForFile(snapshot.toFile()).toPath(), md5 + " *" + snapshot.getFileName() + "\n");
        return md5;
    }

    /**
     * The encoded state in {@code file}, after checking that the file is whole and unchanged.
     *
     * @param recovery what the operator should do, appended to the message of the exception
     */
    static byte[] read(Path file, String recovery) throws IOException {
        byte[] all = Files.readAllBytes(file);
        String problem = problem(all);
        if (problem != null) throw new CorruptSnapshotException("snapshot " + file + " is corrupt (" + problem + "); " + recovery);
        return Arrays.copyOfRange(all, MAGIC.length + Long.BYTES, all.length - DIGEST);
    }

    /** What is wrong with the bytes of a snapshot file, or null when they are intact. */
    static String problem(byte[] all) {
        if (all.length < MAGIC.length + Long.BYTES + DIGEST || !Arrays.equals(MAGIC, 0, MAGIC.length, all, 0, MAGIC.length)) {
            return "it is not a Vigil snapshot: its header is missing or damaged";
        }
        long length = ByteBuffer.wrap(all, MAGIC.length, Long.BYTES).getLong();
        long expected = MAGIC.length + Long.BYTES + length + DIGEST;
        if (length < 0 || expected != all.length) {
            return "its header says " + length + " bytes of state, the file holds " + (all.length - MAGIC.length - Long.BYTES - DIGEST);
        }
        MessageDigest sha = sha256();
        sha.update(all, 0, all.length - DIGEST);
        if (!MessageDigest.isEqual(sha.digest(), Arrays.copyOfRange(all, all.length - DIGEST, all.length))) {
            return "its SHA-256 checksum does not match its content: it was changed after it was written";
        }
        return null;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
