package dev.herald.bench;

import dev.herald.app.Herald;
import dev.herald.config.HeraldConfig;
import dev.herald.store.Database;
import dev.herald.store.EmbeddedPostgresServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * One durable embedded PostgreSQL (fsync and synchronous_commit on, as in production) shared by every
 * scenario, and Herald nodes started on it in this JVM.
 */
final class BenchEnvironment implements AutoCloseable {
    static final String TOKEN = "sk_bench_admin_token_0123456789";
    static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    final EmbeddedPostgresServer postgres;
    final Database database;
    private final List<Herald> nodes = new ArrayList<>();

    private final boolean statementStats;
    private final Map<String, String> nodeSettings;

    /**
     * {@code statementStats}: load pg_stat_statements, to print where the database's time went;
     * {@code nodeSettings}: HERALD_* settings given to every node (to try a configuration).
     */
    BenchEnvironment(boolean statementStats, Map<String, String> nodeSettings) throws Exception {
        this.statementStats = statementStats;
        this.nodeSettings = Map.copyOf(nodeSettings);
        var pgConfig = new HashMap<String, String>();
        if (statementStats) pgConfig.putAll(Map.of("shared_preload_libraries", "pg_stat_statements", "pg_stat_statements.track_planning", "on"));
        pgConfig.putAll(settingsToTry(System.getenv("HERALD_BENCH_PG")));
        postgres = EmbeddedPostgresServer.startThrowaway("herald-bench-pg", true, pgConfig);
        // a run stopped by Ctrl-C left its throwaway database (gigabytes, after the backlog scenario) in the temp folder
        Runtime.getRuntime().addShutdownHook(onExit);
        try {
            database = Database.connect(postgres.jdbcUrl(), 16, 8, dev.herald.config.HeraldConfig.DEFAULT_DATABASE_TIMEOUT);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        if (statementStats) jdbi().useHandle(h -> h.execute("create extension if not exists pg_stat_statements"));
    }

    /** {@code HERALD_BENCH_PG=name=value,name=value}: PostgreSQL server settings to try (experiments). */
    static Map<String, String> settingsToTry(String spec) {
        var settings = new HashMap<String, String>();
        if (spec == null) return settings;
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) settings.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return settings;
    }

    /** The statements that took the most database time since the last reset, one line each. */
    List<String> topStatements(int n) {
        if (!statementStats) return List.of();
        return jdbi().withHandle(h -> h.createQuery("""
                select format('%8s ms total %8s calls %7s ms mean (%s plans, %s ms each) %9s rows%s  %s', round(total_exec_time + total_plan_time),
                              calls, round(mean_exec_time::numeric, 3), plans, round(mean_plan_time::numeric, 3), rows,
                              -- PostgreSQL's own JIT compiles a statement whose estimated cost passes jit_above_cost
                              case when jit_functions > 0 then format(' (JIT: %s functions, %s ms)', jit_functions,
                                  round((jit_generation_time + jit_inlining_time + jit_optimization_time + jit_emission_time)::numeric))
                                  else '' end,
                              left(regexp_replace(query, '\\s+', ' ', 'g'), 100))
                from pg_stat_statements order by total_exec_time + total_plan_time desc limit :n
                """).bind("n", n).mapTo(String.class).list());
    }

    /** PostgreSQL's maintenance runs and WAL so far (to tell a latency tail's or a slow phase's cause). */
    record Maintenance(long checkpoints, long autovacuums, long autoanalyzes, long walBytes, long fullPageImages) {
        /**
         * "meanwhile N checkpoints, N autovacuums, N autoanalyzes; WAL N MB, N full-page images": what ran since
         * {@code before}. A page's first change after a checkpoint writes the whole page to the WAL, so a checkpoint
         * inside a phase makes its statements dearer for a while.
         */
        String since(Maintenance before) {
            return String.format("meanwhile %d checkpoints, %d autovacuums, %d autoanalyzes; WAL %,d MB, %,d full-page images",
                    checkpoints - before.checkpoints, autovacuums - before.autovacuums, autoanalyzes - before.autoanalyzes,
                    (walBytes - before.walBytes) >> 20, fullPageImages - before.fullPageImages);
        }
    }

    /** The counts now (checkpoints done, not the ones skipped on an idle server). */
    Maintenance maintenanceCounts() {
        return jdbi().withHandle(h -> h.createQuery("""
                select (select num_done from pg_stat_checkpointer) as checkpoints,
                       (select coalesce(sum(autovacuum_count), 0) from pg_stat_user_tables) as autovacuums,
                       (select coalesce(sum(autoanalyze_count), 0) from pg_stat_user_tables) as autoanalyzes,
                       (select wal_bytes from pg_stat_wal) as wal_bytes,
                       (select wal_fpi from pg_stat_wal) as wal_fpi
                """).map((rs, ctx) -> new Maintenance(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5))).one());
    }

    void resetStatements() {
        if (statementStats) jdbi().useHandle(h -> h.execute("select pg_stat_statements_reset()"));
    }

    Jdbi jdbi() {
        return database.jdbi();
    }

    /** The handle Herald's publishing, claims and results run on (generic plans, index access only). */
    Jdbi hotPathJdbi() {
        return database.hotPathJdbi();
    }

    String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    Herald startNode(Map<String, String> overrides) {
        var env = new HashMap<String, String>();
        env.put("HERALD_HTTP_ADDR", "127.0.0.1:0");
        env.put("HERALD_DATABASE_URL", postgres.jdbcUrl());
        env.put("HERALD_ADMIN_TOKEN", TOKEN);
        env.put("HERALD_ENCRYPTION_KEY", KEY);
        env.put("HERALD_WHITELIST_SUBNETS", "127.0.0.0/8");
        env.put("HERALD_RETRY_SCHEDULE", "0,2,5,10");
        env.putAll(nodeSettings);
        env.putAll(overrides); // a scenario's own settings win
        var herald = new Herald(HeraldConfig.fromEnvironment(env), Clock.systemUTC()).start(new PrintStream(OutputStream.nullOutputStream()));
        nodes.add(herald);
        return herald;
    }

    void stopNodes() {
        nodes.forEach(Herald::close);
        nodes.clear();
    }

    /** Empties every table between scenarios, then refreshes planner statistics. */
    void clean() {
        jdbi().useHandle(h -> {
            var tables = h.createQuery("""
                    select tablename from pg_tables where schemaname = 'public' and tablename <> 'flyway_schema_history'
                    """).mapTo(String.class).list();
            h.execute("truncate table " + String.join(", ", tables) + " restart identity cascade");
            h.execute("vacuum analyze");
        });
    }

    long pendingDeliveries() {
        return jdbi().withHandle(h -> h.createQuery("select count(*) from delivery where status = 1").mapTo(Long.class).one());
    }

    long recordedAttempts() {
        return jdbi().withHandle(h -> h.createQuery("select count(*) from attempt").mapTo(Long.class).one());
    }

    static long rssKb() {
        return statusKb("VmRSS:");
    }

    /** This JVM's peak resident set since {@link #resetPeakRss} (VmHWM), in KiB; -1 off Linux. */
    static long peakRssKb() {
        return statusKb("VmHWM:");
    }

    /** Starts the peak resident set afresh from the current one (Linux: 5 to clear_refs); false if refused. */
    static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }

    @Override
    public void close() {
        // once: at a signal the hook and the main thread's own close may both come here
        if (!closing.compareAndSet(false, true)) return;
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException stopping) {
            // the JVM is stopping: this is the hook
        }
        try {
            stopNodes(); // from the hook, a scenario may still be starting or stopping nodes
            if (database != null) database.close();
        } catch (RuntimeException e) {
            System.err.println("bench: stopping the nodes failed: " + e);
        } finally {
            postgres.close(); // deletes the throwaway directory
        }
    }

    private final Thread onExit = new Thread(this::close, "herald-bench-cleanup");
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
}
