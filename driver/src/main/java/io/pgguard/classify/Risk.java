package io.pgguard.classify;

import java.util.Locale;

/** How bad a statement can be for a live production database, in increasing order of strictness. */
public enum Risk {
    /** Nothing to worry about beyond a brief metadata lock. */
    SAFE,
    /** Lock risk: blocks reads or writes while it runs, or fails on a non-empty table. */
    UNSAFE,
    /** Live code reading the old shape breaks. */
    BREAKING,
    /** Irreversible without a restore. */
    DESTRUCTIVE,
    /** Could not be read; treated as the strictest. */
    UNKNOWN;

    /** The lower-case name used in JSON, configuration and on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean atLeast(Risk other) {
        return compareTo(other) >= 0;
    }

    public static Risk max(Risk a, Risk b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Parses {@code safe}, {@code unsafe}, ...; returns null for anything else. */
    public static Risk parse(String text) {
        for (Risk r : values()) {
            if (r.id().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return r;
            }
        }
        return null;
    }
}
