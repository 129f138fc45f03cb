package io.pgguard.policy;

import java.util.Locale;

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
        Amount a = Amount.of(value);
        if (a == null) {
            return null;
        }
        long n = a.number;
        String unit = a.unit.isEmpty() ? "b" : a.unit;
        if (unit.equals("rows")) {
            return new LiveSettings(-1, n, value.trim(), base.lockTimeoutMs);
        }
        int shift;
        switch (unit) {
            case "b", "bytes" -> shift = 0;
            case "kb" -> shift = 10;
            case "mb" -> shift = 20;
            case "gb" -> shift = 30;
            case "tb" -> shift = 40;
            default -> {
                return null;
            }
        }
        if (n > Long.MAX_VALUE >> shift) {
            return null;
        }
        return new LiveSettings(n << shift, -1, value.trim(), base.lockTimeoutMs);
    }

    /** {@code 2s}, {@code 500ms}, {@code 1min}, or milliseconds as PostgreSQL reads a bare number; null otherwise. */
    static LiveSettings lockTimeout(LiveSettings base, String value) {
        Amount a = Amount.of(value);
        if (a == null) {
            return null;
        }
        long n = a.number;
        long factor;
        switch (a.unit) {
            case "", "ms" -> factor = 1L;
            case "s" -> factor = 1_000L;
            case "min" -> factor = 60_000L;
            case "h" -> factor = 3_600_000L;
            case "d" -> factor = 86_400_000L;
            default -> {
                return null;
            }
        }
        // PostgreSQL's lock_timeout is an int of milliseconds; 0 would turn it off
        if (n <= 0 || n > Integer.MAX_VALUE / factor) {
            return null;
        }
        return new LiveSettings(base.largeTableBytes, base.largeTableRows, base.largeTable, n * factor);
    }

    /** Digits, blanks, then a unit in letters (lower-cased, maybe empty). */
    private record Amount(long number, String unit) {

        /** The amount a setting's value writes, or null when it is not one (or the number is too large). */
        static Amount of(String value) {
            String v = value.trim();
            int i = 0;
            while (i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
                i++;
            }
            if (i == 0 || i > 18) {
                return null;
            }
            int u = i;
            while (u < v.length() && Character.isWhitespace(v.charAt(u))) {
                u++;
            }
            String unit = v.substring(u).toLowerCase(Locale.ROOT);
            for (int k = 0; k < unit.length(); k++) {
                if (unit.charAt(k) < 'a' || unit.charAt(k) > 'z') {
                    return null;
                }
            }
            return new Amount(Long.parseLong(v.substring(0, i)), unit);
        }
    }
}
