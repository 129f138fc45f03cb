package io.pgguard.cli;

import io.pgguard.classify.Finding;
import io.pgguard.classify.Risk;
import io.pgguard.classify.Rule;
import io.pgguard.classify.RuleCatalog;

import java.io.PrintStream;

/** {@code --format sarif}: SARIF 2.1.0, so GitHub code scanning shows each finding on its line. */
final class SarifReport {

    static final String VERSION = Main.version();

    private SarifReport() {
    }

    static void write(PrintStream out, LintResult result) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{");
        sb.append("\"tool\":{\"driver\":{\"name\":\"pgguard\",\"version\":").append(Json.str(VERSION))
                .append(",\"informationUri\":\"https://github.com/pgguard/pgguard\",\"rules\":[");
        boolean first = true;
        for (Rule r : RuleCatalog.all()) {
            sb.append(first ? "" : ",");
            first = false;
            sb.append("{\"id\":").append(Json.str(r.id()))
                    .append(",\"shortDescription\":{\"text\":").append(Json.str(r.message())).append('}')
                    .append(",\"help\":{\"text\":").append(Json.str(r.alternative() + "\n\n" + r.example()))
                    .append(",\"markdown\":").append(Json.str(r.alternative() + "\n\n```sql\n" + r.example() + "\n```"))
                    .append("},\"defaultConfiguration\":{\"level\":").append(Json.str(level(r.risk()))).append('}')
                    .append(",\"properties\":{\"risk\":").append(Json.str(r.risk().id())).append("}}");
        }
        sb.append("]}},\"results\":[");
        first = true;
        for (LintedStatement s : result.statements()) {
            for (Finding f : s.classification().findings()) {
                sb.append(first ? "" : ",");
                first = false;
                sb.append("{\"ruleId\":").append(Json.str(f.ruleId()))
                        .append(",\"level\":").append(Json.str(level(f.risk())))
                        .append(",\"message\":{\"text\":").append(Json.str(f.message() + ". " + f.rule().alternative()))
                        .append("},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":")
                        .append(Json.str(uri(s.file()))).append("},\"region\":{\"startLine\":")
                        .append(s.statement().line()).append(",\"startColumn\":").append(s.statement().column())
                        .append("}}}],\"properties\":{\"risk\":").append(Json.str(f.risk().id()))
                        .append(",\"decision\":").append(Json.str(s.decision().action().id())).append("}}");
            }
        }
        sb.append("]}]}");
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
