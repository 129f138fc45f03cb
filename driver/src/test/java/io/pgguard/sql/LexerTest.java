package io.pgguard.sql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LexerTest {

    private static List<String> texts(String sql) {
        return Lexer.split(sql).stream().map(SqlStatement::text).toList();
    }

    @Test
    void splitsAtTopLevelSemicolons() {
        assertEquals(List.of("SELECT 1", "SELECT 2", "SELECT 3"), texts("SELECT 1; SELECT 2;\nSELECT 3"));
    }

    @Test
    void emptyStatementsAndCommentsOnlyAreNotStatements() {
        assertEquals(List.of("SELECT 1"), texts(";;  -- nothing\n; SELECT 1 ; /* trailing */ ;"));
        assertTrue(Lexer.split("").isEmpty());
        assertTrue(Lexer.split("  -- only a comment").isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT 'a;b'; SELECT 2|2",
        "SELECT 'it''s; fine'; SELECT 2|2",
        "SELECT E'it\\'s; fine'; SELECT 2|2",
        "SELECT E'back\\\\'; SELECT 2|2",
        "SELECT 'back\\'; SELECT 2|2",
        "SELECT U&'d\\0061t;a'; SELECT 2|2",
        "SELECT U&\"d;a\" FROM t; SELECT 2|2",
        "SELECT B'1010', X'1F;'; SELECT 2|2",
        "SELECT $$a;b$$; SELECT 2|2",
        "SELECT $fn$ $$ ; $$ $fn$; SELECT 2|2",
        "SELECT $a$ $b$ ; $b$ $a$; SELECT 2|2",
        "SELECT \"col;umn\" FROM \"t\"\"x\"; SELECT 2|2",
        "SELECT 1 /* c; /* nested; */ still; */; SELECT 2|2",
        "SELECT 1 -- c; not a split\\n; SELECT 2|2",
        "SELECT (1; 2); SELECT 2|2",
        "SELECT a$b$c FROM t; SELECT $1; SELECT 2|3",
        "SELECT 1::int; SELECT 2|2",
        "SELECT ? ; SELECT '?'|2",
    })
    void quotingAndCommentsHideSemicolons(String sql, int statements) {
        sql = sql.replace("\\n", "\n");
        assertEquals(statements, Lexer.split(sql).size(), sql);
    }

    @Test
    void beginAtomicBodyIsOneStatement() {
        String sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true "
                + "THEN 1 END; END; DROP TABLE x";
        List<String> parts = texts(sql);
        assertEquals(2, parts.size());
        assertTrue(parts.get(0).endsWith("END"));
        assertEquals("DROP TABLE x", parts.get(1));
    }

    @Test
    void aLineCommentEndsAtACarriageReturnAsOnTheServer() {
        assertEquals(List.of("SELECT 1", "DROP TABLE orders"), texts("SELECT 1; -- note\rDROP TABLE orders"));
        List<SqlStatement> st = Lexer.split("SELECT 1;\r\nSELECT 2;\r\nSELECT 3");
        assertEquals(2, st.get(1).line());
        assertEquals(3, st.get(2).line());
    }

    @Test
    void labelsNamedEndOrCaseInsideAnAtomicBodyDoNotEndIt() {
        String prefix = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC ";
        assertEquals(2, Lexer.split(prefix + "SELECT 1 AS end; END; SELECT 2").size());
        assertEquals(2, Lexer.split(prefix + "SELECT r.end FROM r; END; SELECT 2").size());
        assertEquals(2, Lexer.split(prefix + "SELECT 1 AS case; END; CREATE TEMP TABLE hidden (id int)").size());
        assertEquals(2, Lexer.split(prefix + "SELECT CASE WHEN true THEN 1 ELSE CASE WHEN false THEN 2 END END; "
                + "END; DROP TABLE t").size());
        assertEquals(2, Lexer.split(prefix + "END; DROP TABLE t").size());
    }

    @Test
    void aFunctionNamedBeginDoesNotSwallowTheNextStatement() {
        String sql = "CREATE FUNCTION begin() RETURNS int AS 'select 1' LANGUAGE sql; DROP TABLE x";
        assertEquals(2, Lexer.split(sql).size());
        String orReplace = "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;"
                + "DELETE FROM t";
        assertEquals(2, Lexer.split(orReplace).size());
    }

    @Test
    void positionsAreLineAndColumnOfTheFirstToken() {
        List<SqlStatement> st = Lexer.split("-- header\nSELECT 1;\n\n   /* x */ UPDATE t\n SET a = 1;");
        assertEquals(2, st.get(0).line());
        assertEquals(1, st.get(0).column());
        assertEquals(4, st.get(1).line());
        assertEquals(12, st.get(1).column());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT 1;\\nSELECT 'abc|2|8|unterminated string",
        "SELECT 1;\\n  SELECT E'ab\\'|2|10|unterminated escape string",
        "SELECT $x$ body|1|8|unterminated dollar-quoted string $x$",
        "SELECT 1 /* a /* b */|1|10|unterminated /* comment",
        "SELECT \"abc|1|8|unterminated quoted identifier",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql\\nBEGIN ATOMIC SELECT 1;|1|1|unterminated BEGIN ATOMIC routine body",
    })
    void unterminatedInputIsReportedWithItsPosition(String sql, int line, int column, String message) {
        sql = sql.replace("\\n", "\n");
        List<SqlStatement> st = Lexer.split(sql);
        SqlStatement last = st.get(st.size() - 1);
        LexError error = last.error();
        assertNotNull(error, sql);
        assertEquals(message, error.message());
        assertEquals(line, error.line());
        assertEquals(column, error.column());
    }

    @Test
    void unterminatedCommentAloneIsStillReported() {
        List<SqlStatement> st = Lexer.split("SELECT 1; /* never closed");
        assertEquals(2, st.size());
        assertNotNull(st.get(1).error());
        assertNull(st.get(0).error());
    }

    @Test
    void fingerprintReplacesLiteralsAndParametersAndDropsComments() {
        SqlStatement st = Lexer.split("SELECT  a, 'x''y', E'\\n', $$body$$, 42, 1.5e3, $1 /* c */ FROM t\n"
                + " WHERE b = ? -- tail").get(0);
        assertEquals("SELECT a, ?, ?, ?, ?, ?, ? FROM t WHERE b = ?", st.fingerprint());
        assertEquals("UPDATE t SET pw = ?", Lexer.split("UPDATE t SET pw = 'hunter2'").get(0).fingerprint());
    }

    @Test
    void commentsBelongToTheirStatementAndASameLineTrailingComment() {
        List<SqlStatement> st = Lexer.split("-- about one\nSELECT 1; -- still one\n-- about two\nSELECT 2");
        assertEquals(2, st.get(0).comments().size());
        assertEquals(" still one", st.get(0).comments().get(1).body());
        assertEquals(1, st.get(1).comments().size());
        assertEquals(" about two", st.get(1).comments().get(0).body());
    }

    @Test
    void tokensOfADollarStringExposeItsBody() {
        SqlStatement st = Lexer.split("DO $tag$ BEGIN NULL; END $tag$").get(0);
        Token body = st.token(1);
        assertEquals(TokenType.DOLLAR_STRING, body.type());
        assertEquals(" BEGIN NULL; END ", st.source().substring(body.bodyStart(), body.bodyEnd()));
    }

    @Test
    void operatorStopsBeforeACommentStart() {
        SqlStatement st = Lexer.split("SELECT 1 +-- comment\n 2").get(0);
        assertEquals(List.of("SELECT", "1", "+", "2"), st.tokens().stream()
                .map(t -> st.source().substring(t.start(), t.end())).toList());
    }

    @Test
    void neverThrowsOnArbitraryCharacters() {
        String nasty = "\u0000\uFFFF$\\{}`'\"/*$$$a$";
        for (int i = 0; i < nasty.length(); i++) {
            for (int j = i; j <= nasty.length(); j++) {
                Lexer.split(nasty.substring(i, j));
            }
        }
    }

    /** One statement at a time gives what splitting the whole text gives, also for an unreadable tail. */
    @Test
    void statementsOneAtATimeAreTheSplit() {
        String[] inputs = {
            "", ";;", "SELECT 1", "SELECT 1; SELECT 2;\n-- end", "CREATE FUNCTION f() RETURNS int LANGUAGE sql "
                    + "BEGIN ATOMIC SELECT 1; SELECT 2; END; DELETE FROM t",
            "SELECT $$a;b$$; SELECT E'x\\'y'; /* a /* nested */ ; */ SELECT 3",
            "SELECT 1; SELECT 'unterminated", "SELECT 1; /* unterminated", "INSERT INTO t VALUES (1, ';');",
            "DROP TABLE t; -- pgguard:allow drop-table reason=\"x\"\nSELECT 2; -- trailing\n-- own line\nSELECT 3",
        };
        for (String in : inputs) {
            for (boolean standard : new boolean[] {true, false}) {
                List<SqlStatement> all = Lexer.split(in, 0, standard);
                List<SqlStatement> one = new java.util.ArrayList<>();
                Lexer.statements(in, 0, standard).forEachRemaining(one::add);
                assertEquals(all, one, in);
            }
        }
    }

    /**
     * Liquibase cuts a formatted-SQL changelog at each --changeset line before it splits statements: a changeset
     * whose last statement has no semicolon ends there, and the next changeset's DROP TABLE is a statement of its
     * own, not hidden in the CREATE INDEX before it.
     */
    @Test
    void aLiquibaseChangesetEndsItsLastStatementWithoutASemicolon() {
        String changelog = "-- liquibase formatted sql\n\n--changeset ann:1\nCREATE INDEX i1 ON t (a)\n"
                + "--rollback DROP INDEX i1\n   --changeset ann:2 runInTransaction:false\nDROP TABLE t2\n"
                + "--changeset ann:3\nCREATE FUNCTION f() RETURNS int AS $$\n--changeset not:here\nSELECT 1 $$ "
                + "LANGUAGE sql;\nSELECT 2 -- changeset x:y is not at the start of its line\n";
        List<SqlStatement> st = Lexer.split(changelog);
        assertEquals(List.of("CREATE INDEX i1 ON t (a)", "DROP TABLE t2",
                "CREATE FUNCTION f() RETURNS int AS $$\n--changeset not:here\nSELECT 1 $$ LANGUAGE sql",
                "SELECT 2"), texts(changelog));
        assertEquals(7, st.get(1).line());
        // without the Liquibase header the file is plain SQL, split as PostgreSQL splits it
        String plain = changelog.substring(changelog.indexOf('\n') + 1);
        assertTrue(texts(plain).get(0).startsWith("CREATE INDEX i1 ON t (a)\n--rollback DROP INDEX i1\n"
                + "   --changeset ann:2 runInTransaction:false\nDROP TABLE t2\n"), texts(plain).get(0));
    }

    /** Flyway's and Liquibase's ${placeholders} are names: the tool replaces them before the server reads the text. */
    @Test
    void aMigrationToolPlaceholderIsOneName() {
        SqlStatement st = Lexer.split("DELETE FROM ${ohdsiSchema}.cohort WHERE x = '${not.me}' AND y = ${flyway:user}")
                .get(0);
        assertEquals(TokenType.WORD, st.type(2));
        assertEquals("${ohdsiSchema}", st.text(2));
        assertEquals(TokenType.DOT, st.type(3));
        assertEquals(TokenType.STRING, st.type(8));
        assertEquals("${flyway:user}", st.text(st.size() - 1));
        // not a placeholder: a lone $ and a brace the server would refuse, kept as they were
        assertEquals(TokenType.OTHER, Lexer.split("SELECT ${ x }").get(0).type(1));
    }
}
