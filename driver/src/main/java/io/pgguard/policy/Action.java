package io.pgguard.policy;

import java.util.Locale;

/** What happens to a statement, in increasing order of strictness. */
public enum Action {
    ALLOW,
    WARN,
    BLOCK;

    /** The lower-case name used in JSON and configuration. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Action max(Action a, Action b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Parses {@code allow}, {@code warn} or {@code block}; null for anything else. */
    public static Action parse(String text) {
        for (Action a : values()) {
            if (a.id().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return a;
            }
        }
        return null;
    }
}
