package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** Keeps the harness from rotting: a seconds-long run of every scenario that prints a complete table. */
class BenchSmokeTest {
    @Test
    void quick_run_prints_every_figure_and_ratio() throws Exception {
        String out = quickRun(new BenchMain());
        assertThat(out).contains("| 1. throughput, 1 endpoint(s)/msg |", "| 1d. throughput, 50 applications |", "| 2. latency at 100/s offered |",
                "| 1g. publish only, with a polling endpoint |", "| 1h. polling endpoint read back |",
                "| 6a. limit: HTTP only (no DB) |", "| 6b. limit: SQL only (no HTTP) |", "| 7. peer: db-scheduler |",
                "| ratio | Herald / limit (lower of 6a, 6b) |", "| ratio | Herald / db-scheduler peer |",
                "| ratio | Herald / its bound with no overhead, 1 / (2/6a + 1/6b) |",
                "| 1. throughput again, after the limits and the peer |",
                "| ratio | Herald / its bound from the limits' CPU, cores / (2·cpu6a + cpu6b) |");
        assertThat(out.lines().filter(l -> l.startsWith("| 1. throughput, 1 endpoint(s)/msg |")).findFirst())
                .hasValueSatisfying(row -> assertThat(row).contains("; 0 refused;"));
        assertThat(out.lines().filter(l -> l.startsWith("| 6a. limit")).findFirst())
                .hasValueSatisfying(row -> assertThat(row).containsPattern("the machine \\d+% busy"));
        // a rate of 0 (a scenario's worker died) and the infinite ratio it makes
        assertThat(out).doesNotContain("NaN", "Infinity", "| 0/s |");
    }

    @Test
    void quick_run_publishing_over_http2() throws Exception {
        var bench = new BenchMain();
        bench.apiHttp2 = true;
        bench.only = EnumSet.of(BenchMain.Scenario.throughput1, BenchMain.Scenario.publishOnly);
        String out = quickRun(bench);
        assertThat(out).contains("publishing over HTTP/2 (h2c)");
        assertThat(out.lines().filter(l -> l.startsWith("| 1c. publish only")).findFirst())
                .hasValueSatisfying(row -> assertThat(row).contains("over HTTP/2 (h2c); 0 refused;"));
        assertThat(out.lines().filter(l -> l.startsWith("| 1. throughput, 1 endpoint(s)/msg |")).findFirst())
                .hasValueSatisfying(row -> assertThat(row).contains("; 0 refused;"));
    }

    /** Runs the harness's quick mode and returns what it printed (echoed to the test's output too). */
    private static String quickRun(BenchMain bench) throws Exception {
        var captured = new ByteArrayOutputStream();
        var original = System.out;
        System.setOut(new PrintStream(captured, true));
        try {
            bench.quick = true;
            assertThat(bench.run(true)).isTrue();
        } finally {
            System.setOut(original);
        }
        String out = captured.toString();
        original.println(out);
        return out;
    }
}
