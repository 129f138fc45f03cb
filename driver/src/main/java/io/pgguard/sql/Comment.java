package io.pgguard.sql;

/** A {@code --} or {@code /* *}{@code /} comment of a statement, with the text between its delimiters. */
public record Comment(int start, int end, int line, String body) {
}
