package io.pgguard.sql;

/**
 * One token: its class and where it stands in the source ({@code start} inclusive, {@code end} exclusive).
 * For a {@link TokenType#DOLLAR_STRING}, {@code bodyStart}/{@code bodyEnd} delimit the text between the tags;
 * for other tokens they equal {@code start}/{@code end}.
 */
public record Token(TokenType type, int start, int end, int bodyStart, int bodyEnd) {

    Token(TokenType type, int start, int end) {
        this(type, start, end, start, end);
    }

    public int length() {
        return end - start;
    }
}
