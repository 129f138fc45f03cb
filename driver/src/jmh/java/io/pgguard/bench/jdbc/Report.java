package io.pgguard.bench.jdbc;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The harness's tables: per workload and variant, client CPU and wall time per call and their ratios to raw pgjdbc
 * of the same round (median over rounds, its 95% confidence interval, min and max), the same as Markdown, and the
 * issue's two criteria read off them.
 */
final class Report {

    private final OverheadHarness.Options options;
    private final PrintStream out;

    Report(OverheadHarness.Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** The numbers of one variant for one workload, over the measured rounds. */
    private record Row(Variant variant, Stats cpu, Stats wall, Stats alloc, Stats cpuRatio, Stats wallRatio,
                       Stats cpuDelta, Stats cpuRatioUntrimmed) {
    }

    void print(List<Block> blocks) {
        int n = options.rounds();
        Map<Workload, List<Row>> rows = new EnumMap<>(Workload.class);
        Map<Workload, Stats> altVsGuard = new EnumMap<>(Workload.class);
        for (Workload w : options.workloads()) {
            Map<Variant, Block[]> byVariant = new EnumMap<>(Variant.class);
            for (Variant v : options.variants()) {
                byVariant.put(v, new Block[n]);
            }
            for (Block b : blocks) {
                if (b.workload() == w) {
                    byVariant.get(b.variant())[b.round()] = b;
                }
            }
            Block[] raw = byVariant.get(Variant.RAW);
            List<Row> list = new ArrayList<>();
            for (Variant v : options.variants()) {
                Block[] bs = byVariant.get(v);
                double[] cpu = new double[n];
                double[] wall = new double[n];
                double[] alloc = new double[n];
                double[] cpuRatio = new double[n];
                double[] wallRatio = new double[n];
                double[] cpuDelta = new double[n];
                double[] cpuRatioUntrimmed = new double[n];
                for (int r = 0; r < n; r++) {
                    double trim = options.trim();
                    cpu[r] = bs[r].trimmedMean(bs[r].cpu(), trim);
                    wall[r] = bs[r].trimmedMean(bs[r].wall(), trim);
                    alloc[r] = bs[r].mean(bs[r].alloc());
                    double rawCpu = raw[r].trimmedMean(raw[r].cpu(), trim);
                    cpuRatio[r] = cpu[r] / rawCpu;
                    wallRatio[r] = wall[r] / raw[r].trimmedMean(raw[r].wall(), trim);
                    cpuDelta[r] = cpu[r] - rawCpu;
                    cpuRatioUntrimmed[r] = bs[r].mean(bs[r].cpu()) / raw[r].mean(raw[r].cpu());
                }
                list.add(new Row(v, new Stats(cpu), new Stats(wall), new Stats(alloc), new Stats(cpuRatio),
                        new Stats(wallRatio), new Stats(cpuDelta), new Stats(cpuRatioUntrimmed)));
            }
            rows.put(w, list);
            Block[] guard = byVariant.get(Variant.PGGUARD);
            Block[] alt = byVariant.get(Variant.PGGUARD_ALT);
            if (guard != null && alt != null) {
                double[] ratio = new double[n];
                for (int r = 0; r < n; r++) {
                    ratio[r] = guard[r].trimmedMean(guard[r].cpu(), options.trim())
                            / alt[r].trimmedMean(alt[r].cpu(), options.trim());
                }
                altVsGuard.put(w, new Stats(ratio));
            }
        }
        printDetail(rows);
        printMarkdown(rows);
        printVerdict(rows);
        printAltComparison(altVsGuard);
    }

    /** This build against the alternative one, round by round: what a change did, without raw pgjdbc between. */
    private void printAltComparison(Map<Workload, Stats> altVsGuard) {
        if (altVsGuard.isEmpty()) {
            return;
        }
        out.println("Client CPU of pgguard (this build) over pgguard (alt) in the same round, median [95% CI]"
                + " (negative: this build costs less):");
        for (Map.Entry<Workload, Stats> e : altVsGuard.entrySet()) {
            double[] ci = e.getValue().medianCi95();
            out.printf(Locale.ROOT, "  %-20s  %+.2f%% [%+.2f, %+.2f]%n", e.getKey().label, pct(e.getValue().median()),
                    pct(ci[0]), pct(ci[1]));
        }
        out.println();
    }

    private void printDetail(Map<Workload, List<Row>> rows) {
        for (Map.Entry<Workload, List<Row>> e : rows.entrySet()) {
            Workload w = e.getKey();
            out.printf(Locale.ROOT, "== %s: %s%n", w.label, describe(w));
            out.printf(Locale.ROOT, "%-18s %8s %22s %13s %9s | %8s %22s %13s | %7s%n", "variant", "CPU us",
                    "CPU ratio [95% CI]", "min..max", "dCPU ns", "wall us", "wall ratio [95% CI]", "min..max",
                    "alloc B");
            for (Row row : e.getValue()) {
                out.printf(Locale.ROOT, "%-18s %8.2f %22s %13s %+9.0f | %8.2f %22s %13s | %7.0f%n",
                        row.variant().label, row.cpu().median() / 1000, ratioWithCi(row.cpuRatio()),
                        range(row.cpuRatio()), row.cpuDelta().median(), row.wall().median() / 1000,
                        ratioWithCi(row.wallRatio()), range(row.wallRatio()), row.alloc().median());
            }
            out.println();
        }
        out.println("CPU us = client (benchmark thread) CPU per call, median over rounds; ratio = variant / raw pgjdbc"
                + " in the same round, median over rounds [distribution-free 95% CI of that median], min..max over"
                + " rounds; dCPU = median per-round difference to raw, ns per call; wall us = elapsed per call;"
                + " alloc B = bytes the thread allocated per call.");
        out.println();
    }

    private void printMarkdown(Map<Workload, List<Row>> rows) {
        out.println("| workload | variant | client CPU/call | CPU vs raw: median [95% CI] (min..max) | wall/call"
                + " | wall vs raw: median [95% CI] (min..max) | alloc/call |");
        out.println("|---|---|---:|---|---:|---|---:|");
        for (Map.Entry<Workload, List<Row>> e : rows.entrySet()) {
            for (Row row : e.getValue()) {
                out.printf(Locale.ROOT, "| %s | %s | %.2f us | %s (%s) | %.1f us | %s (%s) | %.0f B |%n",
                        e.getKey().label, row.variant().label, row.cpu().median() / 1000,
                        ratioWithCi(row.cpuRatio()), range(row.cpuRatio()), row.wall().median() / 1000,
                        ratioWithCi(row.wallRatio()), range(row.wallRatio()), row.alloc().median());
            }
        }
        out.println();
    }

    /** The two criteria, read off the CPU ratios: under 2% over raw, and below both peers. */
    private void printVerdict(Map<Workload, List<Row>> rows) {
        out.println("Client CPU overhead over raw pgjdbc, median [95% CI]:");
        for (Map.Entry<Workload, List<Row>> e : rows.entrySet()) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-20s", e.getKey().label));
            Row guard = null;
            List<Row> peers = new ArrayList<>();
            for (Row row : e.getValue()) {
                if (row.variant() != Variant.RAW) {
                    double[] ci = row.cpuRatio().medianCi95();
                    sb.append(String.format(Locale.ROOT, "  %s %+.1f%% [%+.1f, %+.1f]", row.variant().label,
                            pct(row.cpuRatio().median()), pct(ci[0]), pct(ci[1])));
                }
                if (row.variant() == Variant.PGGUARD) {
                    guard = row;
                } else if (row.variant() == Variant.P6SPY || row.variant() == Variant.DATASOURCE_PROXY) {
                    peers.add(row);
                }
            }
            out.println(sb);
            if (guard != null) {
                double[] ci = guard.cpuRatio().medianCi95();
                String under = ci[1] < 1.02 ? "yes (CI upper bound under +2%)"
                        : guard.cpuRatio().median() < 1.02 ? "not shown (median under +2%, CI reaches past it)"
                        : "NO";
                StringBuilder ahead = new StringBuilder();
                for (Row p : peers) {
                    ahead.append(p.variant().label).append(guard.cpuRatio().median() < p.cpuRatio().median()
                            ? " ahead" : " BEHIND").append(' ');
                }
                out.printf(Locale.ROOT, "  %-20s  pgguard under +2%%: %s; vs peers: %s; untrimmed (mean of all"
                        + " chunks) pgguard %+.1f%%%n", "", under, ahead.toString().trim(),
                        pct(guard.cpuRatioUntrimmed().median()));
            }
        }
        out.println();
    }

    private static String describe(Workload w) {
        return switch (w) {
            case PREPARED_REUSED -> "setInt + executeQuery on one PreparedStatement per connection, \""
                    + Workload.POINT_READ + "\"";
            case PREPARED_PER_CALL -> "prepareStatement + setInt + executeQuery + close per call, same text";
            case NEW_TEXT -> "createStatement + executeQuery(\"SELECT id, name FROM bench_items WHERE id = <id>"
                    + " /* q<seq> */\") + close, a text never sent before";
            case CALLS_ROUTINE -> "prepareStatement + setInt + executeQuery + close per call, \""
                    + Workload.ROUTINE_READ + "\"";
        };
    }

    private static double pct(double ratio) {
        return (ratio - 1) * 100;
    }

    private static String ratioWithCi(Stats s) {
        double[] ci = s.medianCi95();
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", s.median(), ci[0], ci[1]);
    }

    private static String range(Stats s) {
        return String.format(Locale.ROOT, "%.2f..%.2f", s.min(), s.max());
    }

    static void writeCsv(List<Block> blocks, Path csv) throws IOException {
        Path parent = csv.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
            w.println("round,workload,variant,chunk,ops,cpu_ns,wall_ns,alloc_bytes");
            for (Block b : blocks) {
                for (int c = 0; c < b.cpu().length; c++) {
                    w.printf(Locale.ROOT, "%d,%s,%s,%d,%d,%d,%d,%d%n", b.round(), b.workload(), b.variant(), c,
                            b.chunkOps(), b.cpu()[c], b.wall()[c], b.alloc()[c]);
                }
            }
        }
    }
}
