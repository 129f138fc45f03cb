package io.pgguard.policy;

import io.pgguard.classify.Classifier;
import io.pgguard.classify.Context;
import io.pgguard.sql.Lexer;
import io.pgguard.sql.SqlStatement;
import io.pgguard.sql.Template;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The text read as the server reads it: {@code '...'} strings hold backslash escapes when the session's
 * standard_conforming_strings is off, so the same text can hide a statement under one reading and not the other.
 */
class StandardStringsTest {

    /** One SELECT to a reader with standard strings; a SELECT and a DROP TABLE to one with backslash escapes. */
    private static final String HIDDEN = "SELECT 'a\\' , ' ; DROP TABLE t; -- '";

    private static final Guard GUARD = new Guard(new Classifier(17), Target.production("test"), Policy.defaults());

    private static String kinds(List<SqlStatement> statements) {
        return statements.stream().map(st -> st.text(0)).collect(Collectors.joining(" "));
    }

    @Test
    void theLexerReadsStringsAsTheSettingSays() {
        assertEquals("SELECT", kinds(Lexer.split(HIDDEN, true)));
        assertEquals("SELECT DROP", kinds(Lexer.split(HIDDEN, false)));
        // E'' strings, dollar quotes and quoted identifiers read the same either way.
        String same = "SELECT E'a\\'b', $$c\\$$, \"d\\\"; DELETE FROM t WHERE id = 1";
        assertEquals(kinds(Lexer.split(same, true)), kinds(Lexer.split(same, false)));
        assertTrue(Lexer.split(HIDDEN, true).get(0).readsBackslashes());
        assertFalse(Lexer.split(same, true).get(0).readsBackslashes());
        // Such a string never shares a verdict with others of its shape: it decides on its own.
        assertNull(Template.of(HIDDEN));
        assertNotNull(Template.of("SELECT 'a' , ' ; DROP TABLE t; -- '"));
        // The server refuses U&'' strings when the setting is off.
        assertFalse(Lexer.split("SELECT U&'d\\0061t'", false).get(0).readable());
    }

    @Test
    void aSessionWithBackslashEscapesSeesTheHiddenStatement() {
        assertEquals(Action.ALLOW, GUARD.check(HIDDEN).action());
        Verdict off = GUARD.checkOnConnection(HIDDEN, Set.of(), Map.of(), Boolean.FALSE);
        assertEquals(Action.BLOCK, off.action());
        assertEquals("drop-table", off.deciding().finding().ruleId());
        assertTrue(GUARD.check(HIDDEN).readsBackslashes(), "the driver must ask the session for this string");
    }

    @Test
    void whenTheSettingCannotBeToldAStringWithABackslashIsUnknown() {
        Verdict unknown = GUARD.checkOnConnection(HIDDEN, Set.of(), Map.of(), null);
        assertEquals(Action.BLOCK, unknown.action());
        assertEquals("unreadable-sql", unknown.deciding().finding().ruleId());
        assertEquals(Action.ALLOW, GUARD.checkOnConnection("SELECT 'it''s'", Set.of(), Map.of(), null).action());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", value = {
        "SET standard_conforming_strings = off; SELECT 'a\\' , 'b' => unreadable-sql",
        "SET SESSION standard_conforming_strings TO 'off'; SELECT 'x\\y' => unreadable-sql",
        "SET LOCAL standard_conforming_strings = false; SELECT 'x\\y' => unreadable-sql",
        "SELECT set_config('standard_conforming_strings', 'off', false); SELECT 'x\\y' => unreadable-sql",
        "SELECT set_config(?, ?, false); SELECT 'x\\y' => unreadable-sql",
        "DO $$BEGIN SET standard_conforming_strings = off; END$$; SELECT 'x\\y' => unreadable-sql",
        "SET standard_conforming_strings = on; SELECT 'x\\y' => -",
        "SET standard_conforming_strings = off; SELECT 'x' => -",
        "SELECT set_config('application_name', 'x', false); SELECT 'x\\y' => -",
    })
    void aStringThatChangesTheSettingMakesItsLaterBackslashStringsUnknown(String sql, String rule) {
        Verdict v = GUARD.check(sql);
        if (rule.equals("-")) {
            assertEquals(Action.ALLOW, v.action(), sql);
        } else {
            assertEquals(Action.BLOCK, v.action(), sql);
            assertEquals(rule, v.deciding().finding().ruleId(), sql);
        }
    }

    private static List<String> lint(String file) {
        return GUARD.checkFile(file, Context.migration(), UnaryOperator.identity()).stream()
                .map(d -> d.classification().kind() + ":" + d.classification().risk().id())
                .toList();
    }

    @Test
    void lintSplitsTheRestOfAFileAsTheSettingNowSays() {
        assertEquals(List.of("SET:safe", "SELECT:safe", "DROP TABLE:destructive"),
                lint("SET standard_conforming_strings = off;\n" + HIDDEN + ";\n"));
        assertEquals(List.of("SELECT:safe"), lint(HIDDEN + ";\n"));
        // RESET, and a SET LOCAL that its transaction's end undoes, read the rest as written again.
        assertEquals(List.of("SET:safe", "RESET:safe", "SELECT:safe"),
                lint("SET standard_conforming_strings = off;\nRESET standard_conforming_strings;\n" + HIDDEN));
        assertEquals(List.of("BEGIN:safe", "SET:safe", "ROLLBACK:safe", "SELECT:safe"),
                lint("BEGIN;\nSET LOCAL standard_conforming_strings = off;\nROLLBACK;\n" + HIDDEN));
        assertEquals(List.of("BEGIN:safe", "SET:safe", "ROLLBACK:safe", "SELECT:safe"),
                lint("BEGIN;\nSET standard_conforming_strings = off;\nROLLBACK;\n" + HIDDEN));
        assertEquals(List.of("BEGIN:safe", "SET:safe", "COMMIT:safe", "SELECT:safe", "DROP TABLE:destructive"),
                lint("BEGIN;\nSET standard_conforming_strings = off;\nCOMMIT;\n" + HIDDEN));
        // A value pgguard cannot evaluate: a string with a backslash is unknown.
        assertEquals(List.of("SELECT:safe", "SELECT:unknown"),
                lint("SELECT set_config('standard_conforming_strings', current_setting('x.y'), false);\n" + HIDDEN));
    }

    @Test
    void aSetConfigCallNeverSharesItsVerdictWithAnotherSettingsCall() {
        Guard guard = new Guard(new Classifier(17), Target.production("test"), Policy.defaults());
        assertFalse(guard.check("SELECT set_config('application_name', 'x', false)").changesStringReading());
        assertTrue(guard.check("SELECT set_config('standard_conforming_strings', 'off', false)")
                .changesStringReading());
        assertTrue(guard.check("SET standard_conforming_strings = off").changesStringReading());
    }

    @Test
    void lintKeepsTheLinesOfStatementsSplitAgain() {
        List<Decision> decisions = GUARD.checkFile("SET standard_conforming_strings = off;\n\n" + HIDDEN,
                Context.migration(), UnaryOperator.identity());
        assertEquals(3, decisions.get(2).classification().statement().line());
        assertEquals(3, decisions.get(1).classification().statement().line());
    }
}
