package io.pgguard.sql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplateTest {

    private static String template(String sql) {
        Template t = Template.of(sql);
        return t == null ? null : t.toString();
    }

    @Test
    void literalsAndCommentsAreMaskedEverythingElseIsKept() {
        assertEquals("SELECT id FROM t WHERE id = \0 AND name = \0 \1", template(
                "SELECT id FROM t WHERE id = 42 AND name = 'it''s' /* q1 /* nested */ */"));
        assertEquals("SELECT \0, \0, \0, \0, \0, -\0 \1\nFROM t", template(
                "SELECT 1.5, .5, 1e-3, 0x1F, 1_000, -7 -- trailing\nFROM t"));
        assertEquals("SELECT \"a \"\"b\"\" 1\", U&\"d\" FROM t1 JOIN t_2 ON t1.c$1 = t_2.x9",
                template("SELECT \"a \"\"b\"\" 1\", U&\"d\" FROM t1 JOIN t_2 ON t1.c$1 = t_2.x9"));
        assertEquals("SELECT \0; \1\nDELETE FROM t WHERE id = ?", template("SELECT 1; -- x\nDELETE FROM t WHERE id = ?"));
    }

    @Test
    void stringsThatDifferOnlyInLiteralsOrCommentsShareATemplate() {
        assertEquals(Template.of("SELECT * FROM t WHERE a = 1 AND b = 'x' /* trace 1 */"),
                Template.of("SELECT * FROM t WHERE a = 123456 AND b = '' /* trace 2 */"));
        assertEquals(Template.of("SELECT * FROM t WHERE a = 1").hashCode(),
                Template.of("SELECT * FROM t WHERE a = 987").hashCode());
    }

    @Test
    void everythingButLiteralsAndCommentsTellsTemplatesApart() {
        assertNotEquals(Template.of("SELECT 1 = 1"), Template.of("SELECT ? = ?"));
        assertNotEquals(Template.of("SELECT 1; SELECT 2"), Template.of("SELECT 1, 2"));
        assertNotEquals(Template.of("SELECT t1"), Template.of("SELECT t2"));
        assertNotEquals(Template.of("SELECT \"1\""), Template.of("SELECT \"2\""));
        assertNotEquals(Template.of("DELETE FROM t WHERE id = 1"), Template.of("DELETE FROM t WHERE id = 1 OR 1 = 1"));
    }

    @Test
    void aCompactTemplateEqualsTheOriginal() {
        Template t = Template.of("SELECT * FROM t WHERE a = 123456789 -- long comment");
        Template.Compact<String> kept = t.compact("value");
        Template compact = kept.template();
        assertEquals("value", kept.value());
        assertEquals(t, compact);
        assertEquals(t.hashCode(), compact.hashCode());
        assertEquals(t.toString(), compact.toString());
    }

    @Test
    void aCompactTemplateMatchesExactlyTheStringsThatHaveIt() {
        Template.Compact<Boolean> t =
                Template.of("SELECT \"a\"\"b\", t1.c FROM t1 WHERE id = 42 AND x = 'y' /* q1 */").compact(Boolean.TRUE);
        assertTrue(t.matches("SELECT \"a\"\"b\", t1.c FROM t1 WHERE id = 7.5 AND x = '' /* q2 */"));
        assertTrue(t.matches("SELECT \"a\"\"b\", t1.c FROM t1 WHERE id = .5 AND x = 'it''s' -- q3"));
        assertFalse(t.matches("SELECT \"a\"\"b\", t1.c FROM t1 WHERE id = 42 AND x = 'y' /* pgguard:allow x */"));
        assertFalse(t.matches("SELECT \"a\"\"b\", t1.c FROM t1 WHERE id = 42 AND x = E'y' /* q1 */"));
        assertFalse(t.matches("SELECT \"a\"\"b\", t1.c FROM t1 WHERE id = 42 AND x = 'y' /* q1 "));
        assertFalse(t.matches("SELECT \"a\"\"b\", t1.c FROM t1 WHERE id = 42 AND x = 'y' /* q1 */ OR 1 = 1"));
        assertFalse(t.matches("SELECT \"a\"\"b\", t1.c FROM t1 WHERE id = 42 AND x = 'y'"));
        assertFalse(t.matches("SELECT \"a\"\"b\", t12.c FROM t1 WHERE id = 42 AND x = 'y' /* q1 */"));
        assertFalse(t.matches("SELECT \"a\"\"c\", t1.c FROM t1 WHERE id = 42 AND x = 'y' /* q1 */"));
        Template.Compact<Boolean> minus = Template.of("SELECT a -1").compact(Boolean.TRUE);
        assertFalse(minus.matches("SELECT a --1"), "a comment is not an operator before a literal");
        assertFalse(minus.matches("SELECT a -x1"));
        Template.Compact<Boolean> word = Template.of("SELECT x.5").compact(Boolean.TRUE);
        assertFalse(word.matches("SELECT x15"), "a digit after a word is part of it, not a literal");
        assertTrue(word.matches("SELECT x.25"));
    }

    /** Forms the scan does not read as the lexer does, and strings whose verdict depends on a comment. */
    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT E'a\\'b'", "SELECT e'x'", "SELECT B'101'", "SELECT X'1F'", "SELECT N'x'", "SELECT U&'d\\0061t'",
        "SELECT x'1'", "SELECT $1", "SELECT $$a$$", "DO $body$ BEGIN END $body$", "SELECT 1$",
        "SELECT 'open", "SELECT \"open", "SELECT 1 /* open", "SELECT 1 /* /* */",
        "TRUNCATE t /* pgguard:allow truncate reason=\"x\" */", "TRUNCATE t -- pgguard:allow truncate reason=\"x\"",
        "SELECT 1\u0000", "SELECT \u0001", "SELECT 1\u001B",
    })
    void noTemplateWhereTheScanWouldHaveToGuess(String sql) {
        assertNull(Template.of(sql));
    }

    @Test
    void dollarsInsideWordsAndUnicodeWordsAreFine() {
        assertEquals("SELECT a$b, \u00e9t\u00e91 FROM t", template("SELECT a$b, \u00e9t\u00e91 FROM t"));
        assertEquals("", template(""));
    }

    /**
     * The property the guard relies on: lexing the template gives the string's own tokens, with each literal as
     * {@code \0} and no comments. So two strings with one template lex alike except for literal values.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT id, name FROM bench_items WHERE id = 42 /* q1000000000001 */",
        "SELECT 1.e5, 1..2, 12abc, 0x1Fg, 1e+, .5.6 FROM t",
        "a +/*c*/- b", "x-'a'-y", "SELECT 'a''b' 'c' FROM \"t\"\"x\"", "SELECT U& 'x'",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 'a;'; END; SELECT 2",
        "SELECT (1; 2); SELECT 3 -- c\r\nSELECT 4",
    })
    void theTemplateLexesToTheStringsTokens(String sql) {
        assertNotNull(Template.of(sql), sql);
        assertNull(TemplateCheck.violation(sql), sql);
    }
}
