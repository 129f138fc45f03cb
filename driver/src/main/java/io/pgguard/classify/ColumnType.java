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
                            .replace(" ", "").replace("\t", "").replace("\n", "").replace("\r", "");
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

    /** Integer and floating-point types, narrowest first: a change to an earlier one can overflow or round. */
    private static final java.util.List<String> NUMBERS = java.util.List.of("smallint", "integer", "bigint",
            "numeric", "real", "double precision");

    /**
     * Why a column of this type may not fit {@code target} (a value too long, too many digits, an integer too
     * large, a time too precise), or null when every value fits.
     */
    String narrowingTo(ColumnType target) {
        if (array != target.array) {
            return null;
        }
        String f = unserial(name);
        String t = unserial(target.name);
        boolean text = f.equals("text") || f.equals("varchar") || f.equals("char");
        if (text && (t.equals("varchar") || t.equals("char")) && target.modifiers != null) {
            boolean wider = !f.equals("text") && modifiers != null
                    && number(modifiers, 0) <= number(target.modifiers, 0);
            return wider ? null : "values longer than " + number(target.modifiers, 0) + " characters do not fit";
        }
        if (f.equals("numeric") && t.equals("numeric") && target.modifiers != null) {
            long scale = number(target.modifiers, 1);
            long integerDigits = number(target.modifiers, 0) - scale;
            if (modifiers == null) {
                return "numbers with more than " + integerDigits + " integer digits do not fit, and more than "
                        + scale + " decimals are rounded";
            }
            long oldScale = number(modifiers, 1);
            if (scale < oldScale) {
                return "decimals beyond " + scale + " are rounded away";
            }
            return integerDigits < number(modifiers, 0) - oldScale
                    ? "numbers with more than " + integerDigits + " integer digits do not fit" : null;
        }
        int fi = NUMBERS.indexOf(f);
        int ti = NUMBERS.indexOf(t);
        if (fi >= 0 && ti >= 0 && ti < fi && !(f.equals("numeric") && ti >= NUMBERS.indexOf("real"))) {
            return f.equals("numeric") || f.equals("real") || f.equals("double precision")
                    ? "fractions are rounded and large values do not fit in " + t
                    : "values beyond the range of " + t + " do not fit";
        }
        if (fi >= 0 && !f.equals("numeric") && t.equals("numeric") && target.modifiers != null) {
            return "numbers with more than " + (number(target.modifiers, 0) - number(target.modifiers, 1))
                    + " integer digits do not fit";
        }
        if ((f.equals("timestamp") || f.equals("timestamptz")) && t.equals("date")) {
            return "the time of day is dropped";
        }
        if (f.equals(t) && (f.startsWith("timestamp") || f.startsWith("time") || f.equals("interval"))
                && target.modifiers != null && (modifiers == null
                || number(target.modifiers, 0) < number(modifiers, 0))) {
            return "fractions of a second beyond " + number(target.modifiers, 0) + " digits are rounded";
        }
        if (text && (NUMBERS.contains(t) || t.equals("date") || t.startsWith("timestamp") || t.equals("boolean")
                || t.equals("uuid") || t.equals("jsonb") || t.equals("json"))) {
            return "values that do not read as " + t + " make the change fail";
        }
        return null;
    }

    /**
     * Why a column of an unknown type may not fit this one, when this one limits its values by a modifier (a
     * length, digits, a precision), or null.
     */
    String limitReason() {
        if (modifiers == null || array) {
            return null;
        }
        return switch (name) {
            case "varchar", "char", "bit", "varbit" -> "if current values are longer than " + number(modifiers, 0)
                    + ", the change fails (or an explicit cast cuts them)";
            case "numeric" -> "if current values have more digits than numeric(" + modifiers
                    + ") holds, the change fails or rounds them";
            case "timestamp", "timestamptz", "time", "timetz", "interval" -> "fractions of a second beyond "
                    + number(modifiers, 0) + " digits are rounded";
            default -> null;
        };
    }

    private static String unserial(String type) {
        return switch (type) {
            case "serial" -> "integer";
            case "bigserial" -> "bigint";
            case "smallserial" -> "smallint";
            default -> type;
        };
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
