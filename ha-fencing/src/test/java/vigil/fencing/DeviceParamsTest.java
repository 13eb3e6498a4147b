package vigil.fencing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.ConfigException;
import vigil.api.model.FenceDevice;

class DeviceParamsTest {
    @TempDir
    Path dir;

    private static DeviceParams params(Map<String, String> p) {
        return new DeviceParams(new FenceDevice("d1", "ipmi", p, List.of(), Map.of(), null), Map.of("PDU_PW", "from-env")::get);
    }

    @Test
    void secret_directThenFileThenEnvironment() throws Exception {
        Path f = dir.resolve("pw");
        Files.writeString(f, "from-file\n");
        assertEquals(Optional.of("direct"), params(Map.of("password", "direct", "password_file", f.toString())).secret("password"));
        assertEquals(Optional.of("from-file"), params(Map.of("password_file", f.toString())).secret("password"));
        assertEquals(Optional.of("from-env"), params(Map.of("password_env", "PDU_PW")).secret("password"));
        assertEquals(Optional.empty(), params(Map.of()).secret("password"));
    }

    @Test
    void secret_unreadableOrUnset_namesTheParameter_notTheSecret() {
        ConfigException e = assertThrows(ConfigException.class, () -> params(Map.of("password_env", "NOPE")).secret("password"));
        assertEquals("fence-devices.d1.params.password_env", e.field());
        assertTrue(e.getMessage().contains("NOPE is not set"));
        ConfigException f = assertThrows(ConfigException.class, () -> params(Map.of("password_file", dir.resolve("x").toString())).secret("password"));
        assertEquals("fence-devices.d1.params.password_file", f.field());
    }

    @Test
    void typedValues_validated() {
        DeviceParams p = params(Map.of("ipport", "70000", "lan_timeout", "1500ms", "lanplus", "yes", "n", "abc"));
        assertEquals("fence-devices.d1.params.ipport", assertThrows(ConfigException.class, () -> p.integer("ipport", 623, 1, 65535)).field());
        assertEquals(Duration.ofMillis(1500), p.duration("lan_timeout", Duration.ZERO));
        assertTrue(p.flag("lanplus", false));
        assertFalse(p.flag("absent", false));
        assertThrows(ConfigException.class, () -> p.flag("n", false));
        assertEquals("fence-devices.d1.params.ip", assertThrows(ConfigException.class, () -> p.required("ip", "set it")).field());
    }
}
