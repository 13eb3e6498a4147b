package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Generated resource files and events2 lines on random inputs. */
class DrbdResourceFileProperties {

    @Provide
    Arbitrary<List<String>> hostNames() {
        return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12).set().ofMinSize(2).ofMaxSize(6)
                .map(ArrayList::new);
    }

    @Property(tries = 200)
    void render_everyHostOnceWithDistinctNodeIds_andResolveFindsThemInOrder(@ForAll("hostNames") List<String> hosts,
                                                                            @ForAll @IntRange(min = 1, max = 65535) int port) {
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) entries.add("n" + i + "=" + hosts.get(i) + ":10.0.0." + (i + 1));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("hosts", String.join(",", entries));
        p.put("device", "/dev/drbd3");
        p.put("disk", "/dev/sdb");
        p.put("port", Integer.toString(port));
        String file = DrbdResourceFile.render(DrbdResourceConfig.fromParams("r0", p));
        assertEquals(hosts, DrbdCommand.hosts(file));
        Set<String> ids = new LinkedHashSet<>();
        file.lines().filter(l -> l.strip().startsWith("node-id ")).forEach(ids::add);
        assertEquals(hosts.size(), ids.size());
        assertEquals(hosts.size() > 2, file.contains("connection-mesh"));
        assertTrue(file.contains(":" + port + ";"));
    }

    @Property(tries = 200)
    void events2Line_fieldsRoundTrip(@ForAll("fields") Map<String, String> fields) {
        StringBuilder line = new StringBuilder("change peer-device");
        fields.forEach((k, v) -> line.append(' ').append(k).append(':').append(v));
        DrbdEvent e = DrbdEvent.parse(line.toString()).orElseThrow();
        assertEquals(fields, e.fields());
        assertEquals(new ArrayList<>(fields.keySet()), new ArrayList<>(e.fields().keySet()));
    }

    @Provide
    Arbitrary<Map<String, String>> fields() {
        Arbitrary<String> keys = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '_').ofMinLength(1).ofMaxLength(10)
                .filter(k -> Character.isLetter(k.charAt(0)));
        Arbitrary<String> values = Arbitraries.strings().withCharRange('!', '~').ofMinLength(0).ofMaxLength(20);
        return Arbitraries.maps(keys, values).ofMaxSize(8).map(LinkedHashMap::new);
    }
}
