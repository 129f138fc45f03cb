package io.pgguard.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates valid multi-statement SQL strings whose statement boundaries are hard to find: quotes of every kind
 * holding semicolons, quotes and comment starts, nested dollar quotes and comments, routine bodies with
 * semicolons, empty statements, and every kind of gap between tokens. Every statement runs on PostgreSQL 14 to 18
 * inside a transaction (objects it makes are temporary or rolled back) and is free of parameters.
 */
final class SplitCaseGenerator {

    /** One generated string and the number of statements the generator put in it. */
    record Case(String sql, int statements) {
    }

    /**
     * Free text for inside quotes, comments and bodies: it holds what ends statements, quotes and comments
     * elsewhere. No {@code /} or {@code *} (a block comment's body gets nested comments another way) and no NUL.
     */
    private static final String[] TEXT = {
        "a", "Z9", " ", "  ", ";", ";;", "'", "''", "\"", "--", "-", "$", "$x$", "$1", "\\", "\\\\", "\n", "\t",
        "é", "ß", "BEGIN", "END", "ATOMIC", "CASE", "begin atomic", "(", ")", "::", ",", "E'", "U&", "#", "?",
    };

    private final Random random;
    private int names;
    /** The line ending of the current case: "\n", "\r\n", or a lone "\r" (which also ends a -- comment). */
    private String newline = "\n";

    SplitCaseGenerator(long seed) {
        this.random = new Random(seed);
    }

    Case next() {
        int style = random.nextInt(10);
        newline = style < 6 ? "\n" : style < 9 ? "\r\n" : "\r";
        int count = 1 + random.nextInt(6);
        StringBuilder sb = new StringBuilder();
        if (random.nextInt(5) == 0) {
            sb.append(gap());
        }
        if (random.nextInt(8) == 0) {
            sb.append(';').append(gap()); // an empty statement first
        }
        for (int i = 0; i < count; i++) {
            sb.append(statement());
            boolean last = i == count - 1;
            if (!last || random.nextBoolean()) {
                sb.append(random.nextInt(3) == 0 ? gap() : "").append(';');
                while (random.nextInt(6) == 0) {
                    sb.append(random.nextBoolean() ? gap() : "").append(';'); // empty statements
                }
            }
            if (!last || random.nextInt(3) == 0) {
                sb.append(gap());
            }
        }
        return new Case(sb.toString(), count);
    }

    // ---- statements ----------------------------------------------------------------------------------------

    private String statement() {
        switch (random.nextInt(13)) {
            case 0:
            case 1:
            case 2:
                return select();
            case 3:
                return "VALUES" + gap() + "(" + expression() + "," + gap() + expression() + ")";
            case 4:
            case 5:
                return atomicFunction();
            case 6:
                return sqlFunctionWithQuotedBody();
            case 7:
                return plpgsqlFunction();
            case 8:
                return doBlock();
            case 9:
                return "CREATE" + gap() + "TEMP TABLE" + gap() + "tt" + (++names) + gap() + "(" + columnName()
                        + " int," + gap() + "c text DEFAULT " + stringLiteral(null) + ")";
            case 10:
                return random.nextBoolean()
                        ? "SET LOCAL search_path =" + gap() + quotedIdentifier() + "," + gap() + "public"
                        : "SHOW" + gap() + "search_path";
            case 11:
                return "WITH w AS" + gap() + "(SELECT " + expression() + " AS v)" + gap() + "SELECT v FROM w";
            default:
                return "SELECT 1 FROM (VALUES (" + expression() + "))" + gap() + "AS v(x) WHERE" + gap() + "true";
        }
    }

    private String select() {
        StringBuilder sb = new StringBuilder(random.nextBoolean() ? "SELECT" : "select");
        int columns = 1 + random.nextInt(3);
        for (int i = 0; i < columns; i++) {
            String expression = expression();
            // "SELECT'x'" and ",'x'" need no space; "SELECTE'x'" or "SELECT$$x$$" would be identifiers.
            boolean tight = expression.startsWith("'") && random.nextInt(4) == 0;
            sb.append(i == 0 ? "" : ",").append(tight ? "" : gap());
            sb.append(expression).append(gap()).append("AS").append(gap()).append(alias());
        }
        return sb.toString();
    }

    /** {@code CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ...; END}, CASE expressions inside. */
    private String atomicFunction() {
        boolean procedure = random.nextInt(4) == 0;
        String create = random.nextBoolean() ? "CREATE" : "CREATE" + gap() + "OR REPLACE";
        String begin = choose("BEGIN ATOMIC", "begin atomic", "Begin" + gap() + "Atomic");
        StringBuilder sb = new StringBuilder(create).append(gap());
        if (procedure) {
            sb.append("PROCEDURE").append(gap()).append("pr").append(++names).append("(x int)").append(gap())
                    .append("LANGUAGE sql").append(gap());
        } else {
            sb.append("FUNCTION").append(gap()).append("fa").append(++names).append("(x int) RETURNS int")
                    .append(gap()).append("LANGUAGE sql").append(gap());
            if (random.nextBoolean()) {
                sb.append("IMMUTABLE").append(gap());
            }
        }
        sb.append(begin).append(gap());
        int body = (procedure ? 0 : 1) + random.nextInt(3);
        for (int i = 0; i < body; i++) {
            sb.append(atomicStatement()).append(random.nextBoolean() ? gap() : "").append(';').append(gap());
        }
        return sb.append(random.nextBoolean() ? "END" : "end").toString();
    }

    /** A statement of a BEGIN ATOMIC body returning an int. */
    private String atomicStatement() {
        switch (random.nextInt(6)) {
            case 0:
                return "SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END";
            case 1:
                return "SELECT CASE x WHEN 1 THEN 2" + gap() + "ELSE CASE WHEN x < 0 THEN -1 ELSE 0 END END";
            case 2:
                return "SELECT length(" + stringLiteral(null) + ")" + gap() + "+ x";
            case 3:
                return "SELECT x" + gap() + "WHERE " + stringLiteral(null) + " IS NOT NULL";
            case 4:
                return "SELECT (CASE WHEN x IS NULL THEN 0 END) + 1";
            default:
                // Reserved words are column labels too (ColLabel): "AS end", "AS case".
                return "SELECT x AS " + choose("end", "case", "begin", "atomic", "\"end\"");
        }
    }

    /** A SQL function whose body is a dollar-quoted string holding SQL with semicolons and other quotes. */
    private String sqlFunctionWithQuotedBody() {
        String tag = random.nextBoolean() ? "$$" : "$" + tag() + "$";
        String body;
        do {
            body = gap() + "SELECT " + stringLiteral(tag) + "::text" + (random.nextBoolean() ? ";" : "") + gap();
        } while (!fitsDollarBody(body, tag));
        return "CREATE" + gap() + "FUNCTION fs" + (++names) + "() RETURNS text LANGUAGE sql AS" + gap() + tag + body
                + tag;
    }

    private String plpgsqlFunction() {
        String tag = random.nextBoolean() ? "$$" : "$" + tag() + "$";
        String body;
        do {
            body = gap() + "DECLARE s text :=" + gap() + stringLiteral(tag) + "; BEGIN" + gap()
                    + "IF s IS NOT NULL THEN RETURN 1; END IF;" + gap() + "RETURN 0; END" + gap();
        } while (!fitsDollarBody(body, tag));
        return "CREATE" + gap() + "FUNCTION fp" + (++names) + "() RETURNS int LANGUAGE plpgsql AS" + gap() + tag + body
                + tag;
    }

    private String doBlock() {
        String tag = random.nextBoolean() ? "$$" : "$" + tag() + "$";
        String body;
        do {
            body = gap() + "DECLARE s text :=" + gap() + stringLiteral(tag) + ";" + gap() + "BEGIN PERFORM s;"
                    + gap() + "IF s = ';' THEN NULL; END IF; END" + gap();
        } while (!fitsDollarBody(body, tag));
        return "DO" + gap() + (random.nextBoolean() ? "" : "LANGUAGE plpgsql" + gap()) + tag + body + tag;
    }

    // ---- expressions and literals --------------------------------------------------------------------------

    private String expression() {
        switch (random.nextInt(10)) {
            case 0:
            case 1:
            case 2:
            case 3:
                return stringLiteral(null);
            case 4:
                return stringLiteral(null) + "::text" + gap() + "||" + gap() + stringLiteral(null);
            case 5:
                return choose("B'0101'", "b'1'", "X'1F'", "x'00ff'");
            case 6:
                return choose("'12'::int + 3", "CAST('7' AS bigint)", "(2 + 3) * 4", "1.5e3::numeric", ".5");
            case 7:
                // An operator that a comment start ends, as in scan.l: "*/*" is "*" then a comment.
                return choose("2 */* x; */3", "5 +--x;" + newline + "2", "7 -/* ; */1");
            case 8:
                // Adjacent string literals separated by a newline are one literal.
                return "'a;'" + (random.nextBoolean() ? newline : newline + "-- ;" + newline) + "'b'";
            default:
                return String.valueOf(random.nextInt(1000));
        }
    }

    /**
     * A string literal of a random kind (standard, E, U&, dollar-quoted with or without a tag); {@code avoid} is a
     * dollar tag that must not appear in it (the enclosing body's), or null.
     */
    private String stringLiteral(String avoid) {
        for (;;) {
            String s;
            switch (random.nextInt(6)) {
                case 0:
                case 1:
                    s = (random.nextInt(5) == 0 ? "N'" : "'") + text().replace("'", "''") + "'";
                    break;
                case 2: {
                    String t = text().replace("\\", "\\\\");
                    s = "E'" + (random.nextBoolean() ? t.replace("'", "\\'") : t.replace("'", "''")) + "'";
                    break;
                }
                case 3:
                    s = (random.nextBoolean() ? "U&'" : "u&'") + text().replace("\\", "\\\\").replace("'", "''")
                            + (random.nextBoolean() ? "\\0041" : "\\+00003B") + "'";
                    break;
                case 4:
                default: {
                    String tag = random.nextInt(3) == 0 ? "$$" : "$" + tag() + "$";
                    String t = text();
                    if (random.nextBoolean()) {
                        // a dollar quote of another tag inside
                        String inner = random.nextInt(3) == 0 ? "$$" : "$" + tag() + "$";
                        t = t + inner + text() + inner + text();
                    }
                    if (!fitsDollarBody(t, tag)) {
                        continue;
                    }
                    s = tag + t + tag;
                    break;
                }
            }
            if (avoid == null || fitsDollarBody(s, avoid)) {
                return s;
            }
        }
    }

    /**
     * Whether {@code body} can sit between two {@code tag}s: the first {@code tag} after the opening one must be
     * the closing one (so neither "...$tag$..." inside, nor an end like "...$ta" + "g$"... or "...$" + "$$").
     */
    private static boolean fitsDollarBody(String body, String tag) {
        return (body + tag).indexOf(tag) == body.length();
    }

    private String alias() {
        switch (random.nextInt(6)) {
            case 0:
                return quotedIdentifier();
            case 1:
                return unicodeIdentifier();
            case 2:
                // keywords the routine-body tracking must leave alone outside a routine
                return choose("begin", "atomic", "end", "case", "\"end\"", "\"case\"", "a$b", "_x", "é_x");
            default:
                return "c" + random.nextInt(100);
        }
    }

    private String columnName() {
        return random.nextBoolean() ? quotedIdentifier() : unicodeIdentifier();
    }

    private String quotedIdentifier() {
        return "\"k" + text().replace("\"", "\"\"") + "\"";
    }

    private String unicodeIdentifier() {
        return "U&\"k" + text().replace("\\", "\\\\").replace("\"", "\"\"") + "\\0041\"";
    }

    private String tag() {
        String first = "abcxyz_AB";
        String rest = "abcxyz_019";
        StringBuilder sb = new StringBuilder().append(first.charAt(random.nextInt(first.length())));
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            sb.append(rest.charAt(random.nextInt(rest.length())));
        }
        return sb.toString();
    }

    /** 0 to 7 pieces of {@link #TEXT}, kept short so identifiers stay under 63 bytes. */
    private String text() {
        int n = random.nextInt(8);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(TEXT[random.nextInt(TEXT.length)]);
        }
        return sb.toString();
    }

    // ---- gaps between tokens -------------------------------------------------------------------------------

    /** What may stand between two tokens: whitespace of every kind and comments holding what ends things. */
    private String gap() {
        switch (random.nextInt(12)) {
            case 0:
            case 1:
                return newline;
            case 2:
                return "\t";
            case 3:
                return " \f ";
            case 4:
                return newline + newline + "    ";
            case 5:
                return " /*" + text() + "*/ ";
            case 6:
                return " /*" + text() + "/*" + text() + "*/" + text() + "*/";
            case 7:
                return " --" + text().replace("\n", " ") + newline;
            case 8:
                return newline + "-- ;" + newline;
            default:
                return " ";
        }
    }

    private String choose(String... options) {
        return options[random.nextInt(options.length)];
    }

    /** Hand-written cases: the generator's reach is wide, these are the known traps, each named. */
    static List<String[]> adversarial() {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"a function named begin",
            "CREATE FUNCTION begin() RETURNS int LANGUAGE sql RETURN 1; SELECT begin(); SELECT 2"});
        cases.add(new String[] {"a function named begin with a BEGIN ATOMIC body",
            "CREATE FUNCTION begin() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END; SELECT begin()"});
        cases.add(new String[] {"a function named atomic, called",
            "CREATE FUNCTION atomic() RETURNS int LANGUAGE sql RETURN 1; SELECT atomic(); SELECT 3"});
        cases.add(new String[] {"$a$ inside $b$", "SELECT $b$ $a$ ; $a$ ; $b$; SELECT 2"});
        cases.add(new String[] {"$$ inside $b$ and $b$ inside $$", "SELECT $b$ $$;$$ $b$; SELECT $$ $b$;$b$ $$"});
        cases.add(new String[] {"dollar tags are case-sensitive", "SELECT $A$ $a$; $A$; SELECT 2"});
        cases.add(new String[] {"a non-ASCII dollar tag", "SELECT $é$;$é$; SELECT 2"});
        cases.add(new String[] {"$ inside an identifier is no dollar quote", "SELECT 1 AS a$b$; SELECT 2 AS c$$"});
        cases.add(new String[] {"-- inside a string", "SELECT '--;' AS x; SELECT 2"});
        cases.add(new String[] {"/* inside a string", "SELECT '/*;' AS x; SELECT '*/' AS y"});
        cases.add(new String[] {"a line comment ending the input", "SELECT 1; SELECT 2 -- ; trailing"});
        cases.add(new String[] {"a backslash ends a standard string", "SELECT 'C:\\'; SELECT 2"});
        cases.add(new String[] {"E-string: escaped backslash then doubled quote", "SELECT E'\\\\'';'; SELECT 2"});
        cases.add(new String[] {"E-string: escaped quote then semicolon", "SELECT E'\\';'; SELECT 2"});
        cases.add(new String[] {"U& string with UESCAPE", "SELECT U&'!0041;\\' UESCAPE '!'; SELECT 2"});
        cases.add(new String[] {"U& identifier with \"\" and ;", "SELECT 1 AS U&\"a;\"\"b\"; SELECT 2"});
        cases.add(new String[] {"quoted identifier with \"\" and ;", "SELECT 1 AS \"a;\"\";b\"; SELECT 2"});
        cases.add(new String[] {"nested block comment holding ;", "SELECT /* /* ; */ ; */ 1; SELECT 2"});
        cases.add(new String[] {"comment start ends an operator", "SELECT 2 */*;*/3; SELECT 4 +--;\n5"});
        cases.add(new String[] {"empty statements everywhere", ";;SELECT 1;;; ;/* ; */; SELECT 2;;"});
        cases.add(new String[] {"BEGIN ATOMIC with comments between the words",
            "CREATE FUNCTION f1(x int) RETURNS int LANGUAGE sql BEGIN /* ; */ ATOMIC SELECT x; END; SELECT 1"});
        cases.add(new String[] {"BEGIN ATOMIC with nested CASE",
            "CREATE FUNCTION f2(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE x WHEN 1 THEN 1"
                + " ELSE CASE WHEN x > 1 THEN 2 ELSE 3 END END; SELECT (CASE WHEN x > 0 THEN 1 END); END;"
                + " SELECT f2(1)"});
        cases.add(new String[] {"a procedure with BEGIN ATOMIC",
            "CREATE OR REPLACE PROCEDURE p1() LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;"
                + " SELECT 'p1'::regproc"});
        cases.add(new String[] {"an empty BEGIN ATOMIC body",
            "CREATE PROCEDURE p2() LANGUAGE sql BEGIN ATOMIC END; SELECT 'p2'::regproc"});
        cases.add(new String[] {"BEGIN and ATOMIC outside a routine",
            "SELECT 1 AS begin; SELECT 2 AS atomic; SELECT 3 AS \"end\""});
        cases.add(new String[] {"BEGIN ATOMIC body with a column alias named end",
            "CREATE FUNCTION f3() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS end; END; SELECT 2"});
        cases.add(new String[] {"BEGIN ATOMIC body with a column alias named case (hides the next statement)",
            "CREATE FUNCTION f4() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS case; END;"
                + " CREATE TEMP TABLE hidden(id int)"});
        cases.add(new String[] {"BEGIN ATOMIC body referencing a column named end",
            "CREATE TEMP TABLE r(\"end\" int); CREATE FUNCTION f5() RETURNS int LANGUAGE sql BEGIN ATOMIC"
                + " SELECT r.end FROM r; END; SELECT 2"});
        cases.add(new String[] {"a line comment ended by a lone carriage return",
            "SELECT 1; -- c\rSELECT 2; SELECT 3"});
        cases.add(new String[] {"a DO block with ; in the body and an inner dollar quote",
            "DO $do$ DECLARE s text := $q$;$q$; BEGIN PERFORM s; END $do$; SELECT 2"});
        cases.add(new String[] {"string continuation across a comment", "SELECT 'a' -- ;\n'b'; SELECT 2"});
        return cases;
    }
}
