package io.pgguard.classify;

/**
 * A catalogue entry: a stable kebab-case id, the risk it carries by default, a one-line message, the safe
 * alternative and a short example of it. A rule whose risk is {@link Risk#SAFE} is advice: it is reported but
 * never warns or blocks on its own.
 */
public record Rule(String id, Risk risk, String message, String alternative, String example) {

    public Finding finding() {
        return new Finding(this, risk, message);
    }

    public Finding finding(String message) {
        return new Finding(this, risk, message);
    }

    public Finding finding(Risk risk, String message) {
        return new Finding(this, risk, message);
    }
}
