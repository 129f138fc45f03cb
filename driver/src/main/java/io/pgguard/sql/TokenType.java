package io.pgguard.sql;

/** The lexical classes the classifier needs; PostgreSQL's own lexer has more, but none that change meaning here. */
public enum TokenType {
    /** An unquoted identifier or keyword. */
    WORD,
    /** A {@code "quoted"} or {@code U&"quoted"} identifier. */
    QUOTED_IDENT,
    /** Any single-quoted string: plain, {@code E''}, {@code U&''}, {@code B''}, {@code X''}, {@code N''}. */
    STRING,
    /** A {@code $$...$$} or {@code $tag$...$tag$} string. */
    DOLLAR_STRING,
    NUMBER,
    /** A positional parameter {@code $1}; JDBC's {@code ?} is lexed as {@link #OPERATOR}, as PostgreSQL sees it. */
    PARAM,
    OPERATOR,
    LPAREN,
    RPAREN,
    LBRACKET,
    RBRACKET,
    COMMA,
    DOT,
    SEMICOLON,
    COLON,
    /** The {@code ::} cast. */
    CAST,
    /** A character PostgreSQL would reject (for example a psql backslash command); kept, never dropped. */
    OTHER;

    /** Whether the fingerprint replaces this token by {@code ?}. */
    public boolean isLiteral() {
        return this == STRING || this == DOLLAR_STRING || this == NUMBER || this == PARAM;
    }
}
