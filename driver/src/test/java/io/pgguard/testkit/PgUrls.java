package io.pgguard.testkit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Small helpers on {@code jdbc:postgresql:} URLs (no parsing beyond what the kit needs). */
final class PgUrls {

    private static final String PREFIX = "jdbc:postgresql:";

    private PgUrls() {
    }

    /** The database named in the URL ("" when none: pgjdbc then uses the user name). */
    static String databaseName(String url) {
        int[] span = databaseSpan(url);
        return url.substring(span[0], span[1]);
    }

    /** The same URL naming another database. */
    static String withDatabase(String url, String database) {
        int[] span = databaseSpan(url);
        if (span[0] == span[1] && !url.startsWith("/", span[0] - 1)) {
            // jdbc:postgresql://host:port  or  ...?params : insert "/db"
            return url.substring(0, span[0]) + "/" + database + url.substring(span[1]);
        }
        return url.substring(0, span[0]) + database + url.substring(span[1]);
    }

    /** The URL with user and password parameters added (those already there are kept). */
    static String withCredentials(String url, String user, String password) {
        StringBuilder sb = new StringBuilder(url);
        char sep = url.indexOf('?') >= 0 ? '&' : '?';
        if (user != null && !url.matches(".*[?&]user=.*")) {
            sb.append(sep).append("user=").append(URLEncoder.encode(user, StandardCharsets.UTF_8));
            sep = '&';
        }
        if (password != null && !url.matches(".*[?&]password=.*")) {
            sb.append(sep).append("password=").append(URLEncoder.encode(password, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /** {@code jdbc:postgresql:...} to {@code jdbc:pgguard:postgresql:...}. */
    static String toPgguard(String url) {
        if (!url.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a jdbc:postgresql: URL: " + url);
        }
        return "jdbc:pgguard:postgresql:" + url.substring(PREFIX.length());
    }

    /** [start, end) of the database name in the URL. */
    private static int[] databaseSpan(String url) {
        if (!url.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a jdbc:postgresql: URL: " + url);
        }
        int query = url.indexOf('?');
        int end = query >= 0 ? query : url.length();
        int start = PREFIX.length();
        if (url.startsWith("//", start)) {
            int slash = url.indexOf('/', start + 2);
            if (slash < 0 || slash > end) {
                return new int[] {end, end};
            }
            start = slash + 1;
        }
        return new int[] {start, end};
    }
}
