package io.pgguard.classify;

import io.pgguard.sql.TokenType;

import java.util.Locale;

/**
 * A column type as written in DDL, folded to PostgreSQL's canonical name ({@code int4} and {@code integer} are
 * both {@code integer}) with its modifiers ({@code 255}, {@code 10,2}) and array marker.
 */
record ColumnType(String name, String modifiers, boolean array) {

    /** Words that end a type inside a column definition. */
    private static final String[] CONSTRAINT_WORDS = {"NOT", "NULL", "DEFAULT", "PRIMARY", "UNIQUE", "REFERENCES",
        "CHECK", "CONSTRAINT", "GENERATED", "COLLATE", "COMPRESSION", "STORAGE", "USING"};

    /** Reads a type at the cursor, up to a constraint word or a top-level comma; null if none is there. */
    static ColumnType read(Cursor c) {
        StringBuilder name = new StringBuilder();
        String modifiers = null;
        boolean array = false;
        while (!c.atEnd() && !c.peek(TokenType.COMMA) && !c.peek(TokenType.RPAREN) && !isConstraintWord(c)) {
            if (c.peek(TokenType.LPAREN)) {
                int close = c.closing(c.i);
                if (modifiers == null) {
                    modifiers = c.st.source().substring(c.st.token(c.i).end(),
                            close < c.end ? c.st.token(close).start() : c.st.token(c.end - 1).end())
                            .replaceAll("\\s+", "");
                }
                c.i = close + 1;
            } else if (c.peek(TokenType.LBRACKET)) {
                array = true;
                c.i++;
            } else if (c.peek(TokenType.WORD) || c.peek(TokenType.QUOTED_IDENT) || c.peek(TokenType.DOT)) {
                if (name.length() > 0 && !c.peek(TokenType.DOT) && !c.st.is(c.i - 1, TokenType.DOT)) {
                    name.append(' ');
                }
                name.append(c.st.text(c.i).toLowerCase(Locale.ROOT));
                c.i++;
            } else {
                c.i++;
            }
        }
        if (name.length() == 0) {
            return null;
        }
        return new ColumnType(canonical(name.toString()), modifiers, array);
    }

    private static boolean isConstraintWord(Cursor c) {
        for (String w : CONSTRAINT_WORDS) {
            if (c.peek(w)) {
                return true;
            }
        }
        return false;
    }

    private static String canonical(String written) {
        String n = written.startsWith("pg_catalog.") ? written.substring(11) : written;
        switch (n) {
            case "int", "int4", "integer":
                return "integer";
            case "int2", "smallint":
                return "smallint";
            case "int8", "bigint":
                return "bigint";
            case "serial", "serial4":
                return "serial";
            case "serial8", "bigserial":
                return "bigserial";
            case "serial2", "smallserial":
                return "smallserial";
            case "character varying", "varchar":
                return "varchar";
            case "character", "char", "bpchar":
                return "char";
            case "timestamp", "timestamp without time zone":
                return "timestamp";
            case "timestamptz", "timestamp with time zone":
                return "timestamptz";
            case "time", "time without time zone":
                return "time";
            case "timetz", "time with time zone":
                return "timetz";
            case "decimal", "numeric":
                return "numeric";
            case "float8", "double precision":
                return "double precision";
            case "float4", "real":
                return "real";
            case "bool", "boolean":
                return "boolean";
            case "varbit", "bit varying":
                return "varbit";
            default:
                return n;
        }
    }

    boolean isSerial() {
        return !array && (name.equals("serial") || name.equals("bigserial") || name.equals("smallserial"));
    }

    boolean isSmallInteger() {
        return !array && (name.equals("integer") || name.equals("smallint") || name.equals("serial")
                || name.equals("smallserial"));
    }

    /**
     * Whether changing a column from this type to {@code target} needs no table rewrite, as PostgreSQL decides
     * it: relabelling between binary-compatible types, or a length or precision limit that only grows.
     */
    boolean changesWithoutRewriteTo(ColumnType target) {
        if (array != target.array) {
            return false;
        }
        if (name.equals(target.name)) {
            if (name.equals("varchar") || name.equals("varbit")) {
                return target.modifiers == null || (modifiers != null && number(target.modifiers, 0)
                        >= number(modifiers, 0));
            }
            if (name.equals("numeric")) {
                if (target.modifiers == null) {
                    return true;
                }
                return modifiers != null && number(target.modifiers, 1) == number(modifiers, 1)
                        && number(target.modifiers, 0) >= number(modifiers, 0);
            }
            return java.util.Objects.equals(modifiers, target.modifiers);
        }
        if (name.equals("varchar") && target.name.equals("text")) {
            return true;
        }
        if (name.equals("text") && target.name.equals("varchar") && target.modifiers == null) {
            return true;
        }
        return name.equals("cidr") && target.name.equals("inet");
    }

    private static long number(String modifiers, int index) {
        String[] parts = modifiers.split(",");
        if (index >= parts.length) {
            return 0;
        }
        try {
            return Long.parseLong(parts[index].trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return name + (modifiers == null ? "" : "(" + modifiers + ")") + (array ? "[]" : "");
    }
}
