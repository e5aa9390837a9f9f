package dev.herald.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The printed table: one row per measurement, figures and the ratios computed in the same run. */
final class Report {
    record Row(String scenario, String figure, String value, String note) {}

    private final List<Row> rows = new ArrayList<>();
    private final PrintStream out;
    private boolean muted;

    Report(PrintStream out) {
        this.out = out;
    }

    /** While muted (the JIT warm-up), rows are printed as warm-up lines and not kept. */
    void mute(boolean muted) {
        this.muted = muted;
    }

    void add(String scenario, String figure, String value, String note) {
        if (muted) {
            out.printf("  (warm-up) %-34s %14s%n", scenario, value);
            return;
        }
        var row = new Row(scenario, figure, value, note);
        rows.add(row);
        out.printf("  %-34s %-34s %14s  %s%n", scenario, figure, value, note);
        out.flush();
    }

    void print(String title) {
        out.println();
        out.println("## " + title);
        out.println();
        out.println("| scenario | figure | value | note |");
        out.println("|---|---|---:|---|");
        for (Row r : rows) out.printf("| %s | %s | %s | %s |%n", r.scenario(), r.figure(), r.value(), r.note());
        out.flush();
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    static String rate(double perSecond) {
        return String.format("%,.0f/s", perSecond);
    }

    static String ms(double millis) {
        return String.format("%.1f ms", millis);
    }

    static String ratio(double value) {
        return String.format("%.2f", value);
    }
}
