package io.pgguard.sql;

/** Input the lexer could not read, with the 1-based line and column where the offending construct starts. */
public record LexError(String message, int offset, int line, int column) {

    @Override
    public String toString() {
        return line + ":" + column + ": " + message;
    }
}
