package io.pgguard.fuzz;

/** A broken invariant; {@code key} names it, so that failures of one kind are reported once. */
final class Violation extends AssertionError {
    final String key;

    Violation(String key, String detail) {
        super(key + ": " + detail);
        this.key = key;
    }
}
