package io.pgguard.cli;

import io.pgguard.classify.Classification;

import java.io.PrintStream;

/** {@code --format json}: one array, one element per top-level statement, with the fields DESIGN.md fixes. */
final class JsonReport {

    private JsonReport() {
    }


    /** The lint fields of one statement, from the opening brace on, without the closing one (trace adds its own). */
    static void fields(StringBuilder sb, LintedStatement s) {
        Classification c = s.classification();
        sb.append("{\"file\":").append(Json.str(s.file()))
                .append(",\"statement_index\":").append(s.index())
                .append(",\"line\":").append(s.statement().line())
                .append(",\"sql\":").append(Json.str(s.statement().text()))
                .append(",\"kind\":").append(Json.str(c.kind()))
                .append(",\"risk\":").append(Json.str(c.risk().id()))
                .append(",\"table\":").append(Json.str(c.table()))
                .append(",\"lock\":").append(Json.str(c.lock() == null ? null : c.lock().pgName()))
                .append(",\"rewrite\":").append(c.rewrite())
                .append(",\"rules\":[");
        for (int i = 0; i < c.findings().size(); i++) {
            sb.append(i == 0 ? "" : ",").append(Json.str(c.findings().get(i).ruleId()));
        }
        sb.append("],\"repeats\":[");
        for (int i = 0; i < s.repeats().size(); i++) {
            LintedStatement.Repeat r = s.repeats().get(i);
            sb.append(i == 0 ? "{\"rule\":" : ",{\"rule\":").append(Json.str(r.ruleId()))
                    .append(",\"line\":").append(r.line()).append('}');
        }
        sb.append("],\"decision\":").append(Json.str(s.decision().action().id()));
    }

    /** Writes the array as the statements come, one element at a time. */
    static LintReport streaming(PrintStream out) {
        return new LintReport() {
            private boolean first = true;
            private final StringBuilder sb = new StringBuilder(256);

            @Override
            public void file(String name) {
            }

            @Override
            public void statement(LintedStatement s) {
                sb.setLength(0);
                sb.append(first ? "[\n  " : ",\n  ");
                first = false;
                fields(sb, s);
                sb.append('}');
                out.append(sb);
            }

            @Override
            public void problem(Problem p) {
            }

            @Override
            public void finish(LintSummary summary) {
                out.println(first ? "[]" : "\n]");
            }
        };
    }
}
