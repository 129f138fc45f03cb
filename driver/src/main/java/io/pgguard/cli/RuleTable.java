package io.pgguard.cli;

import io.pgguard.classify.Rule;
import io.pgguard.classify.RuleCatalog;

/** The rule catalogue as the README's Markdown table; {@code pgguard rules} prints it and a test keeps them equal. */
final class RuleTable {

    private RuleTable() {
    }

    static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Rule | Risk | What goes wrong | Safe alternative | Example |\n");
        sb.append("|---|---|---|---|---|\n");
        for (Rule r : RuleCatalog.all()) {
            sb.append("| `").append(r.id()).append("` | ").append(r.risk() == io.pgguard.classify.Risk.SAFE
                    ? "advice" : r.risk().id()).append(" | ").append(cell(r.message())).append(" | ")
                    .append(cell(r.alternative())).append(" | <code>")
                    .append(cell(html(r.example())).replace("\n", "<br>")).append("</code> |\n");
        }
        return sb.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "&#124;");
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
