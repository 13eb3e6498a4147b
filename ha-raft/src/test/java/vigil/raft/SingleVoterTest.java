package vigil.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.status.FenceEvent;

class SingleVoterTest {
    @TempDir Path data;

    private Path group() throws IOException {
        Path g = data.resolve("raft").resolve("group");
        Files.createDirectories(g.resolve("current"));
        LogEntryProto conf = LogEntryProto.newBuilder().setTerm(3).setIndex(12).setConfigurationEntry(RaftConfigurationProto.newBuilder()
                .addPeers(peer("n1", "127.0.0.1:9870")).addPeers(peer("n2", "127.0.0.2:9870"))).build();
        Files.write(g.resolve("current").resolve("raft-meta.conf"), conf.toByteArray());
        return g;
    }

    private static RaftPeerProto peer(String id, String address) {
        return RaftPeerProto.newBuilder().setId(ByteString.copyFromUtf8(id)).setAddress(address).build();
    }

    @Test
    void apply_rewritesTheStartConfigurationToThisNodeAloneAfterTheLastLogEntry() throws IOException {
        Path g = group();
        SingleVoter.request(data, "an administrator confirmed the peer is down", null);
        assertTrue(SingleVoter.requested(data));
        assertEquals(Optional.empty(), SingleVoter.apply(data, g, "n2", 20));
        LogEntryProto now = LogEntryProto.parseFrom(Files.readAllBytes(g.resolve("current").resolve("raft-meta.conf")));
        // the new single leader's first entry (at 21, the next index) is this same configuration
        assertEquals(21, now.getIndex());
        assertEquals(List.of(peer("n2", "127.0.0.2:9870")), now.getConfigurationEntry().getPeersList());
        assertFalse(SingleVoter.requested(data), "applied once");
    }

    @Test
    void apply_handsOverThePeersFenceTheRequestCameWith_once() throws IOException {
        Path g = group();
        FenceEvent fence = new FenceEvent("n1", "off", List.of("ipmi-n1"), "n2", true, Instant.parse("2026-01-01T00:00:00Z"), "ipmi-n1: power off");
        SingleVoter.request(data, "the peer was fenced (confirmed off)", fence);
        assertEquals(Optional.of(fence), SingleVoter.apply(data, g, "n2", 20));
        assertFalse(Files.exists(data.resolve(SingleVoter.FENCE)), "handed over once");

        // a later request without a fence (an administrator's word) does not carry the earlier one
        SingleVoter.request(data, "the peer was fenced (confirmed off)", fence);
        SingleVoter.request(data, "an administrator confirmed the peer is down", null);
        assertEquals(Optional.empty(), SingleVoter.apply(data, g, "n2", 30));
    }

    @Test
    void apply_refusesWhenTheStorageDoesNotNameThisNode_andKeepsTheRequest() throws IOException {
        Path g = group();
        SingleVoter.request(data, "confirmed by an administrator", null);
        IOException e = assertThrows(IOException.class, () -> SingleVoter.apply(data, g, "n3", 20));
        assertTrue(e.getMessage().contains("does not name n3"), e.getMessage());
        assertTrue(SingleVoter.requested(data));
        assertThrows(IOException.class, () -> SingleVoter.apply(data, data.resolve("nothing"), "n2", 20));
    }

    @Test
    void note_keptAndRemoved() throws IOException {
        assertEquals(Optional.empty(), SingleVoter.note(data));
        SingleVoter.note(data, new SingleVoter.PeerNote("n1", "127.0.0.1:9871", 7));
        assertEquals(Optional.of(new SingleVoter.PeerNote("n1", "127.0.0.1:9871", 7)), SingleVoter.note(data));
        assertTrue(SingleVoter.twoNode(data));
        SingleVoter.note(data, null);
        assertFalse(SingleVoter.twoNode(data));
    }
}
