package io.pgguard.cli;

import io.pgguard.classify.Classification;
import io.pgguard.sql.SqlStatement;

/** Helpers the report formats share. */
final class Reports {

    private Reports() {
    }

    /** Whether a report shows a finding: advice (a safe finding) only with {@code --advice}. */
    static boolean shown(io.pgguard.classify.Finding f, boolean advice) {
        return advice || f.risk() != io.pgguard.classify.Risk.SAFE;
    }

    /** The statement's first line, shortened for a table cell or a one-line listing. */
    static String summary(SqlStatement st, int max) {
        String text = st.text().strip();
        int nl = text.indexOf('\n');
        String first = collapse(nl < 0 ? text : text.substring(0, nl).strip() + " ...");
        return first.length() <= max ? first : first.substring(0, max - 3) + "...";
    }

    /** Each run of white space ({@code \\s}) as one blank, as {@code replaceAll("\\s+", " ")} without a regex. */
    static String collapse(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean inRun = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean space = c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
            if (space) {
                if (!inRun) {
                    sb.append(' ');
                }
                inRun = true;
            } else {
                sb.append(c);
                inRun = false;
            }
        }
        return sb.toString();
    }

    /** "AccessExclusiveLock on orders, rewrites the table", or "" when it takes no lock. */
    static String lockText(Classification c) {
        StringBuilder sb = new StringBuilder();
        if (c.lock() != null) {
            sb.append(c.lock().pgName());
            if (c.table() != null) {
                sb.append(" on ").append(c.table());
            }
        }
        if (c.rewrite()) {
            sb.append(sb.length() > 0 ? ", " : "").append("rewrites the table");
        }
        return sb.toString();
    }
}
