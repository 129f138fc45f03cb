package io.pgguard.cli;

import io.pgguard.classify.Finding;
import io.pgguard.classify.Risk;
import io.pgguard.classify.Rule;
import io.pgguard.classify.RuleCatalog;

import java.io.PrintStream;

/**
 * {@code --format sarif}: SARIF 2.1.0, so GitHub code scanning shows each finding on its line, written as the
 * statements come. Advice (safe findings) only with {@code --advice}. A problem with a suppression is a result of
 * {@value #SUPPRESSION_RULE} at its line; input that cannot be read is a tool execution notification, and the
 * invocation is then not successful.
 */
final class SarifReport implements LintReport {

    static final String VERSION = Main.version();

    /** The rule id of a problem with a {@code pgguard:ignore} suppression. */
    static final String SUPPRESSION_RULE = "pgguard-suppression";

    private final PrintStream out;
    private final boolean advice;
    private boolean first = true;
    private final StringBuilder sb = new StringBuilder(512);
    private final java.util.List<Problem> inputErrors = new java.util.ArrayList<>();

    SarifReport(PrintStream out, boolean advice) {
        this.out = out;
        this.advice = advice;
        sb.append("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{");
        sb.append("\"tool\":{\"driver\":{\"name\":\"pgguard\",\"version\":").append(Json.str(VERSION))
                .append(",\"informationUri\":\"https://github.com/pgguard/pgguard\",\"rules\":[");
        for (Rule r : RuleCatalog.all()) {
            sb.append("{\"id\":").append(Json.str(r.id()))
                    .append(",\"shortDescription\":{\"text\":").append(Json.str(r.message())).append('}')
                    .append(",\"help\":{\"text\":").append(Json.str(r.alternative() + "\n\n" + r.example()))
                    .append(",\"markdown\":").append(Json.str(r.alternative() + "\n\n```sql\n" + r.example() + "\n```"))
                    .append("},\"defaultConfiguration\":{\"level\":").append(Json.str(level(r.risk()))).append('}')
                    .append(",\"properties\":{\"risk\":").append(Json.str(r.risk().id())).append("}},");
        }
        sb.append("{\"id\":\"").append(SUPPRESSION_RULE).append("\",\"shortDescription\":{\"text\":")
                .append(Json.str("A pgguard:ignore suppression that is unused, has no reason or names an unknown rule"))
                .append("},\"help\":{\"text\":").append(Json.str("Write pgguard:ignore rule-id reason=\"...\" on a "
                        + "statement the rule fires on, or remove it"))
                .append("},\"defaultConfiguration\":{\"level\":\"warning\"}}");
        sb.append("]}},\"results\":[");
        out.append(sb);
    }

    @Override
    public void file(String name) {
    }

    @Override
    public void statement(LintedStatement s) {
        for (Finding f : s.classification().findings()) {
            if (!Reports.shown(f, advice)) {
                continue;
            }
            result(f.ruleId(), level(f.risk()), f.message() + ". " + f.rule().alternative(), s.file(),
                    s.statement().line(), s.statement().column());
            sb.setLength(sb.length() - 1);
            sb.append(",\"properties\":{\"risk\":").append(Json.str(f.risk().id()))
                    .append(",\"decision\":").append(Json.str(s.decision().action().id())).append("}}");
            out.append(sb);
        }
    }

    @Override
    public void problem(Problem p) {
        if (p.inputError()) {
            inputErrors.add(p);
            return;
        }
        result(SUPPRESSION_RULE, "warning", p.message(), p.file(), p.line(), p.column());
        out.append(sb);
    }

    /** One result, from its comma to its closing brace, in {@link #sb}. */
    private void result(String ruleId, String level, String message, String file, int line, int column) {
        sb.setLength(0);
        sb.append(first ? "" : ",");
        first = false;
        sb.append("{\"ruleId\":").append(Json.str(ruleId))
                .append(",\"level\":").append(Json.str(level))
                .append(",\"message\":{\"text\":").append(Json.str(message))
                .append("},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":")
                .append(Json.str(uri(file))).append("},\"region\":{\"startLine\":").append(line)
                .append(",\"startColumn\":").append(column).append("}}}]}");
    }

    @Override
    public void finish(LintSummary summary) {
        sb.setLength(0);
        sb.append("],\"invocations\":[{\"executionSuccessful\":").append(inputErrors.isEmpty())
                .append(",\"toolExecutionNotifications\":[");
        for (int i = 0; i < inputErrors.size(); i++) {
            Problem p = inputErrors.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"level\":\"error\",\"message\":{\"text\":")
                    .append(Json.str(p.message())).append("}");
            if (p.file() != null) {
                sb.append(",\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":")
                        .append(Json.str(uri(p.file()))).append('}');
                if (p.line() > 0) {
                    sb.append(",\"region\":{\"startLine\":").append(p.line()).append(",\"startColumn\":")
                            .append(Math.max(1, p.column())).append('}');
                }
                sb.append("}}]");
            }
            sb.append('}');
        }
        sb.append("]}]}]}");
        out.println(sb);
    }

    private static String level(Risk risk) {
        return switch (risk) {
            case SAFE -> "note";
            case UNSAFE, BREAKING -> "warning";
            case DESTRUCTIVE, UNKNOWN -> "error";
        };
    }

    private static String uri(String file) {
        String u = file.replace('\\', '/');
        return u.startsWith("./") ? u.substring(2) : u;
    }
}
