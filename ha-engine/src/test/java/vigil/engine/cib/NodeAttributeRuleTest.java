package vigil.engine.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NodeAttributeRuleTest {
    @Test
    void integersAreTheNumbersTheValuesStartWith_asPacemakerReadsThem() {
        // corpus input rule-dbl-as-integer-match: test_val 3.4 eq 3.6 as integer holds (both are 3)
        assertTrue(NodeAttributeRule.accepts("3.4", "3.6", "integer", "eq"));
        assertTrue(NodeAttributeRule.accepts(" 12abc", "11", "integer", "gt"));
        assertTrue(NodeAttributeRule.accepts("-3.9", "-3", "integer", "eq"));
        assertTrue(NodeAttributeRule.accepts("+7", "7", "integer", "eq"));
        assertFalse(NodeAttributeRule.accepts("3.4", "3.6", "number", "eq"));
        assertTrue(NodeAttributeRule.accepts("3.4", "3.6", "number", "lt"));
    }

    @Test
    void aValueWithoutDigitsOrBeyondALong_isComparedAsAString() {
        assertTrue(NodeAttributeRule.accepts("abc", "ABC", "integer", "eq"));
        assertTrue(NodeAttributeRule.accepts("99999999999999999999", "99999999999999999999", "integer", "eq"));
        assertFalse(NodeAttributeRule.accepts("-", "0", "integer", "eq"));
    }

    @Test
    void leadingInteger() {
        assertEquals(3L, NodeAttributeRule.leadingInteger("3.4"));
        assertEquals(-12L, NodeAttributeRule.leadingInteger("  -12 nodes"));
        assertNull(NodeAttributeRule.leadingInteger(".5"));
        assertNull(NodeAttributeRule.leadingInteger("+"));
        assertNull(NodeAttributeRule.leadingInteger("99999999999999999999"));
    }
}
