package io.pgguard.sql;

import java.util.List;

/** Builds the loggable form of a statement: no literal values, no comments, one space where there was any. */
final class Fingerprint {

    private Fingerprint() {
    }

    static String of(SqlStatement statement) {
        List<Token> tokens = statement.tokens();
        String src = statement.source();
        StringBuilder out = new StringBuilder(statement.end() - statement.start());
        int previousEnd = -1;
        for (Token t : tokens) {
            if (previousEnd >= 0 && t.start() > previousEnd) {
                out.append(' ');
            }
            if (t.type().isLiteral()) {
                out.append('?');
            } else {
                out.append(src, t.start(), t.end());
            }
            previousEnd = t.end();
        }
        return out.toString();
    }
}
