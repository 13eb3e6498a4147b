package vigil.raft;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.util.MD5FileUtil;

/**
 * Checks a node's Raft storage before Ratis opens it, so that damage stops the node with a reason instead of a loop
 * or a bare exception: the newest snapshot must be intact; the log segments after it must be readable (every entry's
 * CRC32C), in order and without gaps; and the log must reach back to the snapshot. Segments that hold only entries the
 * snapshot already covers are removed (what Ratis' purge would do anyway): a log cut back behind its own snapshot
 * otherwise makes Ratis refuse every later entry ("gap between entries").
 *
 * <p>Knows Ratis' segment format ({@code log_<first>-<last>}, {@code log_inprogress_<first>}: a {@code RaftLog1}
 * header, then per entry a varint length, the entry, and a big-endian CRC32C of both; zero bytes end a preallocated
 * in-progress segment).
 */
final class StorageCheck {
    private static final byte[] SEGMENT_HEADER = "RaftLog1".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
    private static final Pattern CLOSED = Pattern.compile("log_(\\d+)-(\\d+)");
    private static final Pattern OPEN = Pattern.compile("log_inprogress_(\\d+)");
    private static final int MAX_ENTRY = 64 << 20;

    private StorageCheck() {}

    /**
     * {@code problem} is null when the storage can be used; {@code repairs} says what was removed and why;
     * {@code lastIndex} is the index of the last log entry Ratis will recover (the snapshot's when the log after it is
     * empty; -1 when there is neither, or on a problem).
     */
    record Result(String problem, List<String> repairs, long lastIndex) {
        Result(String problem, List<String> repairs) { this(problem, repairs, -1); }

        boolean ok() { return problem == null; }
    }

    private record Segment(Path file, long first, long last, boolean open) {}

    /**
     * Checks the storage of one Raft group ({@code raft/<group id>}); with {@code repair}, removes segments the
     * snapshot covers that would stop Ratis. {@code recovery} (what the operator should do) ends every problem.
     */
    static Result run(Path groupDir, boolean repair, String recovery) throws IOException {
        List<String> repairs = new ArrayList<>();
        if (!Files.isDirectory(groupDir)) return new Result(null, repairs);
        long snapshotIndex = -1;
        Path sm = groupDir.resolve("sm");
        Path newest = null;
        if (Files.isDirectory(sm)) {
            try (Stream<Path> files = Files.list(sm)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = f.getFileName().toString();
                    Matcher m = SNAPSHOT.matcher(name);
                    if (m.matches() && Long.parseLong(m.group(2)) > snapshotIndex) {
                        snapshotIndex = Long.parseLong(m.group(2));
                        newest = f;
                    } else if (name.endsWith(".tmp") && repair) {
                        Files.delete(f); // a snapshot or MD5 file that was never finished
                    }
                }
            }
        }
        if (newest != null) {
            // Ratis loads the newest snapshot that has an MD5 file: give an intact one whose MD5 file was not written
            // (the disk filled up in between) its MD5 file, so that Ratis and this check agree on which one it is
            Path md5 = MD5FileUtil.getDigestFileForFile(newest.toFile()).toPath();
            String p = SnapshotFile.problem(Files.readAllBytes(newest));
            if (p != null) return fail("snapshot " + newest + " is corrupt (" + p + ")", recovery, repairs);
            if (!Files.exists(md5)) {
                if (!repair) return fail("snapshot " + newest + " has no MD5 file", recovery, repairs);
                SnapshotFile.writeMd5(newest);
                repairs.add("wrote the missing MD5 file of snapshot " + newest + " (its own SHA-256 checksum is intact)");
            } else {
                try {
                    MD5FileUtil.verifySavedMD5(newest.toFile(), MD5FileUtil.readStoredMd5ForFile(newest.toFile()));
                } catch (IOException e) {
                    return fail("snapshot " + newest + " does not match its MD5 file (" + e.getMessage() + ")", recovery, repairs);
                }
            }
        }
        Path current = groupDir.resolve("current");
        List<Segment> segments = new ArrayList<>();
        if (Files.isDirectory(current)) {
            try (Stream<Path> files = Files.list(current)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = f.getFileName().toString();
                    Matcher c = CLOSED.matcher(name);
                    Matcher o = OPEN.matcher(name);
                    if (c.matches()) segments.add(new Segment(f, Long.parseLong(c.group(1)), Long.parseLong(c.group(2)), false));
                    else if (o.matches()) segments.add(new Segment(f, Long.parseLong(o.group(1)), -1, true));
                }
            }
        }
        segments.sort(Comparator.comparingLong(Segment::first));
        long expected = -1; // the index the next segment must start at (-1: not known yet)
        boolean any = false;
        for (Segment s : segments) {
            if (!s.open() && s.last() <= snapshotIndex) {
                obsolete(s, s.last(), snapshotIndex, repair, repairs);
                continue;
            }
            long last;
            try {
                last = lastIndex(s);
            } catch (IOException e) {
                return fail("log segment " + s.file() + " is unreadable: " + e.getMessage(), recovery, repairs);
            }
            if (s.open() && last < s.first()) continue; // nothing written into it yet
            if (last <= snapshotIndex) {
                obsolete(s, last, snapshotIndex, repair, repairs);
                continue;
            }
            if (!any) {
                if (s.first() > snapshotIndex + 1) {
                    return fail("the log starts at entry " + s.first() + " but " + (snapshotIndex < 0 ? "there is no snapshot"
                            : "the newest snapshot ends at entry " + snapshotIndex) + ": entries " + (snapshotIndex + 1) + " to " + (s.first() - 1)
                            + " are gone (snapshot files deleted, or log segments lost)", recovery, repairs);
                }
            } else if (s.first() != expected) {
                return fail("log entries " + expected + " to " + (s.first() - 1) + " are missing: segment " + s.file().getFileName()
                        + " starts at " + s.first() + (s.first() < expected ? ", inside the segment before it" : ""), recovery, repairs);
            }
            any = true;
            expected = last + 1;
        }
        return new Result(null, repairs, any ? expected - 1 : snapshotIndex);
    }

    private static Result fail(String what, String recovery, List<String> repairs) {
        return new Result(what + "; " + recovery, repairs);
    }

    private static void obsolete(Segment s, long last, long snapshotIndex, boolean repair, List<String> repairs) throws IOException {
        if (!repair) return;
        Files.delete(s.file());
        repairs.add("removed " + s.file() + ": it holds only entries up to " + last + ", which the snapshot at " + snapshotIndex + " covers");
    }

    /** Reads every entry of a segment, checking order and checksums; returns the last entry's index (first - 1: none). */
    private static long lastIndex(Segment s) throws IOException {
        try (InputStream raw = Files.newInputStream(s.file()); DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
            byte[] header = new byte[SEGMENT_HEADER.length];
            try {
                in.readFully(header);
            } catch (EOFException e) {
                if (s.open()) return s.first() - 1;
                throw new IOException("it is shorter than its header");
            }
            if (!Arrays.equals(header, SEGMENT_HEADER)) {
                if (s.open() && allZero(header)) return s.first() - 1;
                throw new IOException("its header is not a Ratis log header");
            }
            long next = s.first();
            CRC32C crc = new CRC32C();
            while (true) {
                int b = in.read();
                if (b < 0) break;
                if (b == 0) { // the zero bytes that end a preallocated segment: nothing may follow them
                    int x;
                    while ((x = in.read()) >= 0) {
                        if (x != 0) throw new IOException("bytes after the end of entry " + (next - 1) + " (the segment was overwritten or damaged)");
                    }
                    break;
                }
                ByteBuffer varint = ByteBuffer.allocate(5);
                varint.put((byte) b);
                int length = b & 0x7f;
                int shift = 7;
                try {
                    while ((b & 0x80) != 0) {
                        if (shift > 28) throw new IOException("entry " + next + " has a malformed length");
                        b = in.readUnsignedByte();
                        varint.put((byte) b);
                        length |= (b & 0x7f) << shift;
                        shift += 7;
                    }
                    if (length <= 0 || length > MAX_ENTRY) throw new IOException("entry " + next + " claims " + length + " bytes");
                    byte[] entry = new byte[length];
                    in.readFully(entry);
                    int stored = in.readInt();
                    crc.reset();
                    crc.update(varint.array(), 0, varint.position());
                    crc.update(entry);
                    if ((int) crc.getValue() != stored) throw new IOException("entry " + next + " fails its checksum (a changed or flipped byte)");
                    long index = LogEntryProto.parseFrom(entry).getIndex();
                    if (index != next) throw new IOException("it holds entry " + index + " where entry " + next + " belongs");
                } catch (EOFException e) {
                    // an in-progress segment may end in a partly written entry, which was never acknowledged
                    if (s.open()) return next - 1;
                    throw new IOException("it ends inside entry " + next + " (the file was cut short)");
                }
                next++;
            }
            long last = next - 1;
            if (!s.open() && last != s.last()) {
                throw new IOException("its name says it holds entries " + s.first() + " to " + s.last() + ", it ends at " + last
                        + " (the file was cut short)");
            }
            return last;
        }
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }
}
