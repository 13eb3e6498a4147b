package vigil.fencing.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing recorded {@code -o metadata} output of Debian 12's fence-agents 4.12. */
class AgentMetadataTest {
    static String recorded(String agent) throws IOException {
        try (InputStream in = AgentMetadataTest.class.getResourceAsStream("/agents/" + agent + ".xml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void parse_fenceIpmilan_parametersDefaultsAndSecrets() throws IOException {
        AgentMetadata md = AgentMetadata.parse(recorded("fence_ipmilan"));
        assertEquals("fence_ipmilan", md.name());
        assertEquals("623", md.parameter("ipport").orElseThrow().defaultValue());
        assertEquals("administrator", md.parameter("privlvl").orElseThrow().defaultValue());
        assertEquals("onoff", md.parameter("method").orElseThrow().defaultValue());
        assertTrue(md.parameter("action").orElseThrow().required());
        assertTrue(md.parameter("password").orElseThrow().secret());
        assertTrue(md.parameter("passwd").orElseThrow().secret());
        assertTrue(md.parameter("hexadecimal_kg").orElseThrow().secret());
        assertFalse(md.parameter("password_script").orElseThrow().secret());
        assertFalse(md.parameter("username").orElseThrow().secret());
        assertTrue(md.actions().containsAll(List.of("on", "off", "reboot", "status", "monitor", "metadata")));
        assertFalse(md.actions().contains("list"));
    }

    @Test
    void parse_fenceApcSnmp_hasCommunityAndList() throws IOException {
        AgentMetadata md = AgentMetadata.parse(recorded("fence_apc_snmp"));
        assertTrue(md.parameter("community").orElseThrow().secret());
        assertEquals("161", md.parameter("ipport").orElseThrow().defaultValue());
        assertTrue(md.actions().contains("list"));
        assertTrue(md.parameter("plug").isPresent());
    }

    @Test
    void parse_fenceDummy_noPlug() throws IOException {
        AgentMetadata md = AgentMetadata.parse(recorded("fence_dummy"));
        assertEquals("/tmp/fence_dummy.status", md.parameter("status_file").orElseThrow().defaultValue());
        assertTrue(md.parameter("plug").isEmpty());
    }

    @Test
    void parse_rejectsNonMetadataAndDoctypes() {
        assertThrows(IllegalArgumentException.class, () -> AgentMetadata.parse("<html/>"));
        assertThrows(IllegalArgumentException.class, () -> AgentMetadata.parse("not xml"));
        assertThrows(IllegalArgumentException.class, () -> AgentMetadata.parse(
                "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><resource-agent name=\"&x;\"/>"));
    }

    @Test
    void stdin_actionPlugThenSortedParams() {
        assertEquals("action=off\nplug=vm1\nip=10.0.0.1\npassword=pw\n",
                AgentProtocol.stdin("off", "plug", "vm1", Map.of("password", "pw", "ip", "10.0.0.1")));
        assertEquals("action=monitor\nip=h\n", AgentProtocol.stdin("monitor", null, null, Map.of("ip", "h")));
        assertThrows(IllegalArgumentException.class, () -> AgentProtocol.stdin("off", null, null, Map.of("ip", "a\naction=on")));
    }

    @Test
    void explain_dropsPythonWarnings_keepsTheAgentsError() {
        String stderr = "/usr/sbin/fence_ipmilan:5: DeprecationWarning: 'pipes' is deprecated and slated for removal in Python 3.13\n"
                + "  from pipes import quote\n"
                + "2026-11-23 18:17:43,164 ERROR: Failed: Unable to obtain correct plug status or plug is not available\n\n\n";
        assertEquals("ERROR: Failed: Unable to obtain correct plug status or plug is not available", AgentProtocol.explain("", stderr));
        assertEquals("no output", AgentProtocol.explain("", "/usr/sbin/x:5: DeprecationWarning: y\n  from pipes import quote\n"));
    }

    @Test
    void parseList_plugCommaAlias() {
        assertEquals(List.of("1", "2", "vm-a"), AgentProtocol.parseList("1,outlet1\n2,outlet2\nvm-a\n\n"));
    }
}
