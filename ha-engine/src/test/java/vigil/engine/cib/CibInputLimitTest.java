package vigil.engine.cib;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A CIB larger than {@link CibImporter#MAX_BYTES} is refused while it is read, before it fills the heap. */
class CibInputLimitTest {
    @Test
    void parse_inputLongerThanTheLimit_isRefusedNamingTheSource() {
        InputStream endless = new InputStream() {
            private long served;
            private final byte[] head = "<cib><configuration><resources>".getBytes();

            @Override
            public int read() {
                long i = served++;
                return i < head.length ? head[(int) i] : ' ';
            }
        };
        CibException e = assertThrows(CibException.class, () -> CibImporter.parse(endless, "endless.xml", Instant.EPOCH));
        assertTrue(e.getMessage().contains("endless.xml") && e.getMessage().contains("bytes a CIB may have"), e.getMessage());
    }
}
