package vigil.engine.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NodeListTest {
    @Test
    void behavesLikeAnArrayListOfTheSameNodes() {
        SchedNode[] nodes = new SchedNode[6];
        for (int i = 0; i < nodes.length; i++) nodes[i] = new SchedNode("node" + i, i, true);
        SplittableRandom rnd = new SplittableRandom(5);
        for (int round = 0; round < 200; round++) {
            List<SchedNode> expected = new ArrayList<>();
            NodeList actual = new NodeList();
            int adds = rnd.nextInt(9);
            for (int k = 0; k <= adds; k++) {
                assertEquals(expected, actual);
                assertEquals(expected.size(), actual.size());
                assertEquals(expected.isEmpty(), actual.isEmpty());
                assertEquals(expected.hashCode(), actual.hashCode());
                for (SchedNode n : nodes) {
                    assertEquals(expected.contains(n), actual.contains(n));
                    assertEquals(expected.indexOf(n), actual.indexOf(n));
                }
                assertEquals(expected, new ArrayList<>(actual));
                assertThrows(IndexOutOfBoundsException.class, () -> actual.get(actual.size()));
                assertThrows(IndexOutOfBoundsException.class, () -> actual.get(-1));
                SchedNode n = nodes[rnd.nextInt(nodes.length)];
                expected.add(n);
                actual.add(n);
            }
        }
    }

    @Test
    void nodesAreOnlyAdded() {
        NodeList list = new NodeList();
        list.add(new SchedNode("node1", 0, true));
        assertThrows(UnsupportedOperationException.class, () -> list.remove(0));
        assertThrows(UnsupportedOperationException.class, () -> list.set(0, null));
    }
}
