package io.pgguard.classify;

import io.pgguard.sql.TokenType;

import java.util.List;

/** Session settings a migration needs before it queues for a strong lock: lock_timeout and statement_timeout. */
final class SessionRules {

    static final Rule REQUIRE_LOCK_TIMEOUT = new Rule("require-lock-timeout", Risk.UNSAFE,
            "A lock-taking statement without lock_timeout waits behind any long transaction, and every query "
                    + "on the table queues behind it",
            "SET lock_timeout first, and retry the migration when it times out",
            "SET lock_timeout = '5s';");
    static final Rule REQUIRE_STATEMENT_TIMEOUT = new Rule("require-statement-timeout", Risk.UNSAFE,
            "A lock-taking statement without statement_timeout can hold its lock for as long as it runs",
            "SET statement_timeout so a statement that runs long gives its lock back",
            "SET statement_timeout = '15min';");

    static final List<Rule> RULES = List.of(REQUIRE_LOCK_TIMEOUT, REQUIRE_STATEMENT_TIMEOUT);

    private SessionRules() {
    }

    /** SET / SET LOCAL / SET SESSION name {TO|=} value; the cursor stands after SET. */
    static void set(Analysis a, Cursor c) {
        a.kind = "SET";
        boolean local = c.word("LOCAL");
        if (!local) {
            c.word("SESSION");
        }
        if (c.peek(TokenType.WORD) && Cursor.key(c.st.text(c.i)).equals(STANDARD_STRINGS)
                || c.peek(TokenType.QUOTED_IDENT) && Cursor.key(c.st.text(c.i)).equals(STANDARD_STRINGS)) {
            c.i++;
            if (!c.take(TokenType.OPERATOR)) {
                c.word("TO");
            }
            a.context.setStandardStrings(c.peek("DEFAULT") ? Boolean.TRUE : onOff(c.st, c.i, c.end), local);
        } else if (c.peek("TIMEZONE") || c.peek("TIME") && c.st.isWord(c.i + 1, "ZONE")) {
            c.i += c.peek("TIME") ? 2 : 1;
            if (!c.take(TokenType.OPERATOR)) {
                c.word("TO");
            }
            a.context.setTimeZoneUtc(c.peek("DEFAULT") || c.peek("LOCAL") ? null : utc(c), local);
        } else if (c.peek("LOCK_TIMEOUT")) {
            c.i++;
            a.context.lockTimeout = setsPositiveValue(c);
        } else if (c.peek("STATEMENT_TIMEOUT")) {
            c.i++;
            a.context.statementTimeout = setsPositiveValue(c);
        }
    }

    /** Zone names whose offset is always zero. */
    private static final java.util.Set<String> UTC_NAMES = java.util.Set.of("UTC", "ETC/UTC", "UCT", "ETC/UCT", "GMT",
            "ETC/GMT", "GMT0", "ETC/GMT0", "GMT+0", "ETC/GMT+0", "GMT-0", "ETC/GMT-0", "UNIVERSAL", "ETC/UNIVERSAL",
            "ZULU", "ETC/ZULU", "GREENWICH", "ETC/GREENWICH");

    /** Whether a SET timezone value is UTC: a zone name of offset zero, or 0; null when it is not a literal. */
    private static Boolean utc(Cursor c) {
        if (c.atEnd() || c.i + 1 != c.end) {
            return c.atEnd() ? null : Boolean.FALSE; // INTERVAL '...' and other forms: not known to be UTC
        }
        String v = c.st.is(c.i, TokenType.STRING) ? ProceduralRules.unquote(c.st, c.st.token(c.i)) : c.st.text(c.i);
        v = v.trim().toUpperCase(java.util.Locale.ROOT);
        return UTC_NAMES.contains(v) || v.equals("0") || v.equals("+0") || v.equals("-0");
    }

    /** RESET name | RESET ALL; the cursor stands after RESET. */
    static void reset(Analysis a, Cursor c) {
        a.kind = "RESET";
        if (c.word("ALL")) {
            a.context.lockTimeout = false;
            a.context.statementTimeout = false;
            a.context.setTimeZoneUtc(null, false);
            a.context.setStandardStrings(Boolean.TRUE, false);
        } else if (c.peek(TokenType.WORD) && Cursor.key(c.st.text(c.i)).equals(STANDARD_STRINGS)) {
            a.context.setStandardStrings(Boolean.TRUE, false);
        } else if (c.word("TIMEZONE") || c.words("TIME", "ZONE")) {
            a.context.setTimeZoneUtc(null, false);
        } else if (c.word("LOCK_TIMEOUT")) {
            a.context.lockTimeout = false;
        } else if (c.word("STATEMENT_TIMEOUT")) {
            a.context.statementTimeout = false;
        }
    }

    private static final String STANDARD_STRINGS = "standard_conforming_strings";

    /** The boolean a setting's value spells (on, off, true, '0', yes, ...), or null when it is not a literal one. */
    private static Boolean onOff(io.pgguard.sql.SqlStatement st, int k, int end) {
        if (k + 1 != end) {
            return null;
        }
        String v = st.is(k, TokenType.STRING) ? ProceduralRules.unquote(st, st.token(k)) : st.text(k);
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "on", "true", "yes", "1", "t", "y" -> Boolean.TRUE;
            case "off", "false", "no", "0", "f", "n" -> Boolean.FALSE;
            default -> null;
        };
    }

    /**
     * {@code set_config(name, value, is_local)} anywhere in a statement: it changes standard_conforming_strings when
     * its name is that literal, and may change it when its name is computed (the value is then unknown).
     */
    static void setConfig(Analysis a) {
        io.pgguard.sql.SqlStatement st = a.statement;
        for (int k = 0; k + 2 < st.size(); k++) {
            if (!st.isWord(k, "SET_CONFIG") || !st.is(k + 1, TokenType.LPAREN)) {
                continue;
            }
            // Which setting it changes is a literal: strings of one template do not share this verdict.
            a.readsLiterals = true;
            Cursor args = new Cursor(st, k + 2, new Cursor(st, k + 1, st.size()).closing(k + 1));
            int nameEnd = args.nextTopLevel(args.i, TokenType.COMMA);
            boolean literalName = nameEnd == args.i + 1 && st.is(args.i, TokenType.STRING);
            if (literalName && !ProceduralRules.unquote(st, st.token(args.i)).trim()
                    .equalsIgnoreCase(STANDARD_STRINGS)) {
                continue;
            }
            int valueEnd = args.nextTopLevel(nameEnd + 1, TokenType.COMMA);
            Boolean value = literalName ? onOff(st, nameEnd + 1, valueEnd) : null;
            boolean local = valueEnd + 1 < args.end && !Cursor.isFalse(st, valueEnd + 1);
            a.context.setStandardStrings(value, local);
        }
    }

    private static boolean setsPositiveValue(Cursor c) {
        if (!c.take(TokenType.OPERATOR)) {
            c.word("TO");
        }
        if (c.atEnd() || c.peek("DEFAULT")) {
            return false;
        }
        String value = c.st.text(c.i).replace("'", "").trim();
        return !value.isEmpty() && !isZero(value);
    }

    /** {@code 0}, {@code 00}, {@code 0s}, {@code 0 ms}: zeros, then blanks, then letters (a unit). */
    private static boolean isZero(String value) {
        int i = 0;
        while (i < value.length() && value.charAt(i) == '0') {
            i++;
        }
        if (i == 0) {
            return false;
        }
        while (i < value.length() && Character.isWhitespace(value.charAt(i))) {
            i++;
        }
        while (i < value.length() && (value.charAt(i) >= 'a' && value.charAt(i) <= 'z'
                || value.charAt(i) >= 'A' && value.charAt(i) <= 'Z')) {
            i++;
        }
        return i == value.length();
    }

    /**
     * In a migration, a statement that takes a lock blocking writes (or reads) on a relation that existed before
     * this file needs both timeouts set earlier in the file.
     */
    static void checkTimeouts(Analysis a, LockMode lockOnExisting) {
        if (!a.context.isMigration() || lockOnExisting == null || !lockOnExisting.blocksWrites()) {
            return;
        }
        if (!a.context.lockTimeout) {
            a.find(REQUIRE_LOCK_TIMEOUT);
        }
        if (!a.context.statementTimeout) {
            a.find(REQUIRE_STATEMENT_TIMEOUT);
        }
    }
}
