package io.pgguard.policy;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the guard does with what the connected server says, for a non-local target: {@code pgguard.largeTable} (a
 * lock-risk warning about a table at least this large is a block; bytes of {@code pg_total_relation_size} or, with
 * {@code rows}, the planner's estimate) and {@code pgguard.lockTimeout} (the {@code lock_timeout} a statement that
 * blocks writes runs with, when the session's is 0 or longer). Each is off unless set.
 *
 * @param largeTableBytes the size in bytes at which a table is large; -1 when not set in bytes
 * @param largeTableRows  the estimated rows at which a table is large; -1 when not set in rows
 * @param largeTable      the setting as written, for messages; null when off
 * @param lockTimeoutMs   the lock_timeout to apply, in milliseconds; -1 when off
 */
public record LiveSettings(long largeTableBytes, long largeTableRows, String largeTable, long lockTimeoutMs) {

    public static final LiveSettings OFF = new LiveSettings(-1, -1, null, -1);

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|bytes|kb|mb|gb|tb|rows)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|min|h|d)?", Pattern.CASE_INSENSITIVE);

    /** Whether a table of these estimated rows and bytes is large; false when the setting is off. */
    public boolean isLarge(long rows, long bytes) {
        return largeTableBytes >= 0 && bytes >= largeTableBytes || largeTableRows >= 0 && rows >= largeTableRows;
    }

    public boolean largeTableSet() {
        return largeTable != null;
    }

    /** The lock_timeout value to send ({@code 2000ms}); null when off. */
    public String lockTimeoutValue() {
        return lockTimeoutMs < 0 ? null : lockTimeoutMs + "ms";
    }

    /** {@code 10GB}, {@code 500 MB}, {@code 1000000 rows}, or bytes; null when it is not one. */
    static LiveSettings largeTable(LiveSettings base, String value) {
        Matcher m = SIZE.matcher(value.trim());
        if (!m.matches()) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return null;
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        if (unit.equals("rows")) {
            return new LiveSettings(-1, n, value.trim(), base.lockTimeoutMs);
        }
        int shift = switch (unit) {
            case "kb" -> 10;
            case "mb" -> 20;
            case "gb" -> 30;
            case "tb" -> 40;
            default -> 0;
        };
        if (n > Long.MAX_VALUE >> shift) {
            return null;
        }
        return new LiveSettings(n << shift, -1, value.trim(), base.lockTimeoutMs);
    }

    /** {@code 2s}, {@code 500ms}, {@code 1min}, or milliseconds as PostgreSQL reads a bare number; null otherwise. */
    static LiveSettings lockTimeout(LiveSettings base, String value) {
        Matcher m = DURATION.matcher(value.trim());
        if (!m.matches()) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return null;
        }
        long factor = switch (m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT)) {
            case "s" -> 1_000L;
            case "min" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> 1L;
        };
        // PostgreSQL's lock_timeout is an int of milliseconds; 0 would turn it off
        if (n <= 0 || n > Integer.MAX_VALUE / factor) {
            return null;
        }
        return new LiveSettings(base.largeTableBytes, base.largeTableRows, base.largeTable, n * factor);
    }
}
