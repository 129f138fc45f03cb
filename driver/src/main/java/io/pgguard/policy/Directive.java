package io.pgguard.policy;

import io.pgguard.sql.Comment;
import io.pgguard.sql.SqlStatement;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code pgguard:allow} or {@code pgguard:ignore} comment on a statement:
 * {@code -- pgguard:ignore rule-id[,rule-id] reason="why"}. A directive without a reason is kept with
 * {@code reason == null} so that it can be reported, never honoured.
 */
public record Directive(String verb, List<String> ruleIds, String reason, int line) {

    public boolean hasReason() {
        return reason != null && !reason.isBlank();
    }

    /** The directives of the given verb ({@code allow} or {@code ignore}) in the statement's comments. */
    public static List<Directive> parse(SqlStatement statement, String verb) {
        List<Directive> out = List.of();
        String marker = "pgguard:" + verb;
        for (Comment comment : statement.comments()) {
            String body = comment.body();
            int at = body.indexOf(marker);
            while (at >= 0) {
                int after = at + marker.length();
                int next = body.indexOf(marker, after);
                if (after < body.length() && !Character.isWhitespace(body.charAt(after))) {
                    at = next;
                    continue;
                }
                if (out.isEmpty()) {
                    out = new ArrayList<>(1);
                }
                // Each directive reads only up to the next one, so a comment of many stays linear.
                out.add(parseOne(verb, body.substring(after, next < 0 ? body.length() : next), comment.line()));
                at = next;
            }
        }
        return out;
    }

    private static Directive parseOne(String verb, String text, int line) {
        String rest = text.strip();
        int space = 0;
        while (space < rest.length() && !Character.isWhitespace(rest.charAt(space))) {
            space++;
        }
        List<String> ids = new ArrayList<>();
        for (String id : rest.substring(0, space).split(",")) {
            if (!id.isBlank() && !id.startsWith("reason=")) {
                ids.add(id.trim());
            }
        }
        String reason = null;
        int r = rest.indexOf("reason=");
        if (r >= 0 && r + 7 < rest.length()) {
            char quote = rest.charAt(r + 7);
            if (quote == '"' || quote == '\'') {
                int close = rest.indexOf(quote, r + 8);
                if (close > r + 8) {
                    reason = rest.substring(r + 8, close);
                }
            }
        }
        return new Directive(verb, List.copyOf(ids), reason, line);
    }
}
