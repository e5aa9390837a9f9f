package dev.herald.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementException;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.jdbi.v3.postgres.PostgresPlugin;

/**
 * The connection pools, the schema (Flyway) and the JDBI handles over one PostgreSQL database. Two pools: the
 * general one plans every statement with its values; the hot path's (publishing, claims, results) plans each
 * statement once per connection, restricted to index access.
 */
public final class Database implements AutoCloseable {
    /**
     * The queue tables swing from empty to millions of rows, so a plan chosen from their statistics can be made
     * while they are empty (seq scan and sort) and stay cached as they fill: 1.4 s per claim over 200,000 rows.
     * The general pool therefore plans every execution with its values.
     */
    static final String GENERAL_SESSION = "set plan_cache_mode = force_custom_plan";

    /**
     * The hot path's statements touch a few hundred rows by key or in index order, whatever the table holds. Planning
     * them at every execution took 29% of the database's time under load (1.2 ms per claim); here each is planned once
     * per connection, and seq scans, bitmap scans, hash and merge joins are disabled so that no statistics, empty or
     * stale, can make that one plan read a whole table (a test checks the claim's plan on an empty queue).
     */
    static final String HOT_PATH_SESSION = """
            set plan_cache_mode = force_generic_plan; set enable_seqscan = off; set enable_bitmapscan = off;
            set enable_hashjoin = off; set enable_mergejoin = off""";

    /**
     * The same restriction for one transaction of the general pool, for a read that must stay an index range scan
     * however stale the statistics are (a polling endpoint's page over tables that filled since they were analyzed).
     */
    public static final String INDEX_ACCESS_ONLY_IN_TRANSACTION = """
            set local enable_seqscan = off; set local enable_bitmapscan = off; set local enable_hashjoin = off;
            set local enable_mergejoin = off""";

    /** How long a hot-path connection (and so its cached plans) lives; Hikari retires each a little earlier, staggered. */
    static final java.time.Duration HOT_PATH_PLAN_LIFETIME = java.time.Duration.ofMinutes(5);

    /** How long a borrow waits for a connection when all are lent, and a new connection may take to be made. */
    static final java.time.Duration CONNECTION_TIMEOUT = java.time.Duration.ofSeconds(5);

    /** How long a connection idle for a while may take to prove it is alive before it is lent (the driver counts seconds). */
    static final java.time.Duration VALIDATION_TIMEOUT = java.time.Duration.ofSeconds(1);

    /** The bound for the statements {@link #allowLongStatements} is called for. */
    static final java.time.Duration LONG_STATEMENT_TIMEOUT = java.time.Duration.ofMinutes(30);

    private final HikariDataSource generalPool;
    private final HikariDataSource hotPathPool;
    private final DatabaseReach reach;
    private final javax.sql.DataSource dataSource;
    private final Jdbi jdbi;
    private final Jdbi hotPathJdbi;

    private Database(HikariDataSource generalPool, HikariDataSource hotPathPool, DatabaseReach reach) {
        this.generalPool = generalPool;
        this.hotPathPool = hotPathPool;
        this.reach = reach;
        this.dataSource = new ReachablePool(generalPool, reach);
        this.jdbi = withoutArgumentsInErrors(Jdbi.create(dataSource).installPlugin(new PostgresArguments()).registerArgument(new BinaryArrays()));
        this.hotPathJdbi = withoutArgumentsInErrors(Jdbi.create(new ReachablePool(hotPathPool, reach)).installPlugin(new PostgresArguments())
                .registerArgument(new BinaryArrays()));
    }

    /**
     * JDBI's error messages name every bound value by default: an endpoint's headers (its receiver's Authorization), a
     * message's payload, a receiver's answer, all in the log line of a failed statement. They name the statement only.
     */
    static Jdbi withoutArgumentsInErrors(Jdbi jdbi) {
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(Database::messageWithoutArguments);
        return jdbi;
    }

    static String messageWithoutArguments(StatementException e) {
        StatementContext context = e.getStatementContext();
        String sql = context == null ? null : context.getRenderedSql();
        if (sql == null) return e.getShortMessage();
        sql = sql.strip().replaceAll("\\s+", " ");
        return e.getShortMessage() + " [statement: \"" + (sql.length() > 160 ? sql.substring(0, 160) + "…" : sql) + "\"]";
    }

    /**
     * JDBI's Postgres plugin for its argument and array types, without what it adds to every handle: a large-object API
     * Herald never uses, whose set-up ran a catalog query on each connection's first handle (~20 ms of planning on a
     * new backend, up to 48 as a node starts under load), and a configuration copy per handle.
     */
    private static final class PostgresArguments extends PostgresPlugin {
        @Override
        public Handle customizeHandle(Handle handle) {
            return handle;
        }
    }

    /**
     * {@code poolSize} general connections and {@code hotPathPoolSize} for publishing, claims and results. A connection
     * that gives no answer for {@code timeout} is closed and its statement fails (the driver's socket timeout): a
     * partition or a vanished primary leaves connections open and silent, and a thread reading one would wait for good.
     * The server, for its part, ends a session of Herald's that sits that long inside a transaction or whose client
     * stops answering ({@link ServerSideTimeouts}).
     */
    public static Database connect(String url, int poolSize, int hotPathPoolSize, java.time.Duration timeout) {
        return connect(url, poolSize, hotPathPoolSize, timeout, new SimpleMeterRegistry());
    }

    /**
     * As {@link #connect(String, int, int, java.time.Duration)}, with the pools' figures on {@code registry} ({@link #poolGauges})
     * and {@code herald_database_reachable}: 1, or 0 while this node cannot connect ({@link DatabaseReach}).
     */
    public static Database connect(String url, int poolSize, int hotPathPoolSize, java.time.Duration timeout, MeterRegistry registry) {
        var jdbc = JdbcUrl.parse(url);
        int serverMajorVersion = requireReachable(jdbc, timeout);
        // before the pools: their connections, opened in the background as they fill, took the slots a database with few
        // left had, and Flyway's own connection was refused ("too many clients already")
        migrate(jdbc);
        var reach = new DatabaseReach();
        Gauge.builder("herald.database.reachable", reach, r -> r.reachable() ? 1 : 0)
                .description("1 while this node can connect to its database; 0 from a refused or timed-out connection until one succeeds")
                .register(registry);
        var timeouts = new ServerSideTimeouts(timeout, serverMajorVersion);
        var sessions = SessionSettings.of(jdbc, timeout, timeouts);
        var eviction = new PoolEviction();
        var general = watched(pool(sessions, "herald", poolSize, GENERAL_SESSION, reach), eviction);
        HikariDataSource hotPath;
        try {
            var hotPathConfig = pool(sessions, "herald-hot-path", hotPathPoolSize, HOT_PATH_SESSION, reach);
            // the hot path's plans live as long as its connections: one made while the tables were nearly empty (where
            // every plan costs the same) is replaced within minutes by one made on the tables' real size
            hotPathConfig.setMaxLifetime(HOT_PATH_PLAN_LIFETIME.toMillis());
            hotPath = watched(hotPathConfig, eviction);
        } catch (RuntimeException e) {
            general.close();
            throw e;
        }
        poolGauges(general, registry);
        poolGauges(hotPath, registry);
        var probe = new DriverConnector(sessions.url(), sessions.driverProperties("herald-probe"), reach);
        probe.setLoginTimeout((int) CONNECTION_TIMEOUT.toSeconds()); // as the pools set theirs
        reach.start(probe::attempt);
        return new Database(general, hotPath, reach);
    }

    /**
     * One connection before the pools: a database that is down, refuses the login or does not exist fails here at once
     * with the driver's own error, not after a pool's connection timeout and its shutdown (10 s and more). Answers the
     * server's major version.
     */
    private static int requireReachable(JdbcUrl jdbc, java.time.Duration timeout) {
        var properties = driverProperties(jdbc, "herald", timeout);
        properties.setProperty("connectTimeout", Long.toString(CONNECTION_TIMEOUT.toSeconds()));
        try (var connection = java.sql.DriverManager.getConnection(jdbc.url(), properties)) {
            return connection.getMetaData().getDatabaseMajorVersion();
        } catch (java.sql.SQLException e) {
            // the driver quotes a URL it cannot parse whole, password and all: neither the message nor a cause printed
            // with it may carry it (a cause that does not is kept: it tells a refused connection from a refused login)
            String message = jdbc.redact(e.getMessage());
            boolean leaks = !java.util.Objects.equals(message, e.getMessage());
            throw new IllegalStateException("cannot connect to the database: " + message, leaks ? null : e);
        }
    }

    /**
     * A pool's connections (all, active, idle, max) and the borrowers waiting for one, under HikariCP's usual names, read
     * when scraped. Not HikariCP's own metrics: they time every borrow and keep percentiles of it, which cost 8% of the
     * delivery rate in the benchmark (BENCHMARKS.md, session 34).
     */
    private static void poolGauges(HikariDataSource pool, MeterRegistry registry) {
        var figures = pool.getHikariPoolMXBean();
        var tags = io.micrometer.core.instrument.Tags.of("pool", pool.getPoolName());
        Gauge.builder("hikaricp.connections", figures, HikariPoolMXBean::getTotalConnections).tags(tags).register(registry);
        Gauge.builder("hikaricp.connections.active", figures, HikariPoolMXBean::getActiveConnections).tags(tags).register(registry);
        Gauge.builder("hikaricp.connections.idle", figures, HikariPoolMXBean::getIdleConnections).tags(tags).register(registry);
        Gauge.builder("hikaricp.connections.pending", figures, HikariPoolMXBean::getThreadsAwaitingConnection)
                .description("borrowers waiting for a connection").tags(tags).register(registry);
        Gauge.builder("hikaricp.connections.max", pool, HikariDataSource::getMaximumPoolSize).tags(tags).register(registry);
    }

    /** The pool, giving all its connections up when one of either pool's finds its server gone or read-only ({@link PoolEviction}). */
    private static HikariDataSource watched(HikariConfig config, PoolEviction eviction) {
        config.setExceptionOverride(eviction);
        var pool = new HikariDataSource(config);
        eviction.watch(pool);
        return pool;
    }

    private static HikariConfig pool(SessionSettings sessions, String name, int size, String sessionSql, DatabaseReach reach) {
        var hikari = new HikariConfig();
        hikari.setDataSource(new DriverConnector(sessions.url(), sessions.driverProperties(name), reach));
        hikari.setMaximumPoolSize(size);
        hikari.setPoolName(name);
        hikari.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        // a connection idle for a while is checked before it is lent: a silent one costs its borrower this, not 5 s
        hikari.setValidationTimeout(VALIDATION_TIMEOUT.toMillis());
        // fail at once when the database is down; callers map that to 503
        hikari.setInitializationFailTimeout(-1);
        hikari.setConnectionInitSql(sessionSql + "; " + sessions.timeouts().sessionSql());
        return hikari;
    }

    /**
     * What each of a node's connections is opened with: the driver's settings, and the server-side timeouts in the
     * startup packet (beside the URL's own {@code options}, which the driver would let override them) when the server
     * takes them.
     */
    private record SessionSettings(JdbcUrl jdbc, java.time.Duration timeout, ServerSideTimeouts timeouts,
                                   ServerSideTimeouts.UrlOptions urlOptions, boolean startupOptionsTaken) {
        static SessionSettings of(JdbcUrl jdbc, java.time.Duration timeout, ServerSideTimeouts timeouts) {
            var urlOptions = ServerSideTimeouts.UrlOptions.of(jdbc.url());
            var trial = new SessionSettings(jdbc, timeout, timeouts, urlOptions, true).driverProperties("herald");
            trial.setProperty("connectTimeout", Long.toString(CONNECTION_TIMEOUT.toSeconds()));
            boolean taken = timeouts.takenAtStartup(urlOptions.url(), trial, jdbc::redact);
            return new SessionSettings(jdbc, timeout, timeouts, urlOptions, taken);
        }

        /** The URL connections are opened with (its options, if any, go with the properties). */
        String url() {
            return urlOptions.url();
        }

        java.util.Properties driverProperties(String applicationName) {
            var properties = Database.driverProperties(jdbc, applicationName, timeout);
            String options = startupOptionsTaken ? timeouts.startupOptions(urlOptions.options()) : urlOptions.options();
            if (options != null) properties.setProperty("options", options);
            return properties;
        }
    }

    /**
     * The driver's settings for a connection of {@code applicationName} (how an operator tells Herald's sessions apart in
     * pg_stat_activity).
     */
    private static java.util.Properties driverProperties(JdbcUrl jdbc, String applicationName, java.time.Duration timeout) {
        var properties = new java.util.Properties();
        if (jdbc.user() != null) properties.setProperty("user", jdbc.user());
        if (jdbc.password() != null) properties.setProperty("password", jdbc.password());
        properties.setProperty("socketTimeout", Long.toString(timeout.toSeconds()));
        properties.setProperty("ApplicationName", applicationName);
        // the server's DETAIL can quote a row ("Failing row contains (…)"): an endpoint's headers, a payload. Kept out
        // of exceptions' messages, which are logged; the SQL state and constraint name stay for the code that reads them
        properties.setProperty("logServerErrorDetail", "false");
        return properties;
    }

    /**
     * Over a connection of its own without the socket timeout: a migration may rewrite a large table for longer than
     * any statement the pools run.
     */
    private static void migrate(JdbcUrl jdbc) {
        var flyway = flyway(jdbc);
        requireNoNewerSchema(flyway);
        flyway.migrate();
    }

    /**
     * A node waits this many seconds for another's migration (Flyway tries its lock once a second; its default, 50,
     * failed a node started beside one migrating a large table).
     */
    public static final int MIGRATION_LOCK_WAIT_SECONDS = 600;

    private static Flyway flyway(JdbcUrl jdbc) {
        return Flyway.configure().dataSource(jdbc.url(), jdbc.user(), jdbc.password()).locations("classpath:db/migration")
                .lockRetryCount(MIGRATION_LOCK_WAIT_SECONDS).load();
    }

    /** A database migrated by a newer Herald than this one: refused, where Flyway would only warn. */
    public static final class NewerSchemaException extends IllegalStateException {
        NewerSchemaException(String message) {
            super(message);
        }
    }

    /**
     * Refuses a schema a newer Herald migrated: this build's statements were not written for it (a parked row it does
     * not know to unpark, a purge it does not run), and Flyway by default passes over migrations it does not have with a
     * warning, so an older build, started to roll back, served on and left deliveries unsent.
     */
    private static void requireNoNewerSchema(Flyway flyway) {
        var info = flyway.info();
        var newer = java.util.Arrays.stream(info.all())
                .filter(m -> m.getState() == org.flywaydb.core.api.MigrationState.FUTURE_SUCCESS
                        || m.getState() == org.flywaydb.core.api.MigrationState.FUTURE_FAILED)
                .map(m -> m.getVersion().getVersion()).toList();
        if (newer.isEmpty()) return;
        var known = java.util.Arrays.stream(info.all()).filter(m -> m.getState().isResolved())
                .map(m -> m.getVersion().getVersion()).reduce((a, b) -> b).orElse("none");
        throw new NewerSchemaException("the database's schema was brought to version " + newer.getLast() + " by a newer Herald;"
                + " this one knows versions up to " + known + " and does not migrate back: run that newer version (or one"
                + " after it), or restore a backup taken before it ran");
    }

    /** What {@link #migrateOnly} did: how many migrations it applied, and the version the schema is at now. */
    public record Migration(int applied, String version) {}

    /**
     * Brings the schema up to date and nothing else ({@code herald migrate}): a deployment may migrate in a step of its
     * own before it starts nodes of a new version (each node also migrates as it starts; Flyway's lock makes one do it).
     */
    public static Migration migrateOnly(String url, java.time.Duration timeout) {
        var jdbc = JdbcUrl.parse(url);
        requireReachable(jdbc, timeout);
        var flyway = flyway(jdbc);
        requireNoNewerSchema(flyway);
        int applied = flyway.migrate().migrationsExecuted;
        var current = flyway.info().current();
        return new Migration(applied, current == null ? "none" : current.getVersion().getVersion());
    }

    /**
     * Lifts the socket timeout for one handle's connection, for a statement that may rightly run longer (a report over
     * a long period); the pool puts the timeout back when the connection is returned.
     */
    public static void allowLongStatements(Handle handle) {
        try {
            handle.getConnection().setNetworkTimeout(Runnable::run, (int) LONG_STATEMENT_TIMEOUT.toMillis());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot lift the database timeout: " + e.getMessage(), e);
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** The hot path's handle: statements planned once per connection, index access only (see {@link #HOT_PATH_SESSION}). */
    public Jdbi hotPathJdbi() {
        return hotPathJdbi;
    }

    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        reach.close();
        hotPathPool.close();
        generalPool.close();
    }

    /**
     * Accepts {@code jdbc:postgresql://…} as is and {@code postgres(ql)://user:pass@host:port/db?…}, read as libpq reads
     * it: the user name and password are percent-decoded, and a {@code +} in them stays a plus. No message repeats the
     * URL, since it may hold the password.
     */
    public record JdbcUrl(String url, String user, String password) {
        private static final String FORM = "postgres://user:password@host:5432/database or jdbc:postgresql://host:5432/database";
        private static final String ESCAPES = "a '@', '#', '/', '?' or ':' in the user name or password is written %40, %23, %2F, %3F or %3A";

        /** libpq's names for the settings the driver knows by others (the rest mean the same to both: sslmode, sslrootcert, options). */
        private static final java.util.Map<String, String> LIBPQ_NAMES = java.util.Map.of(
                "target_session_attrs", "targetServerType", "connect_timeout", "connectTimeout");
        /** target_session_attrs' values, as the driver's targetServerType names them. */
        private static final java.util.Map<String, String> SESSION_ATTRS = java.util.Map.of(
                "any", "any", "read-write", "primary", "primary", "primary",
                "read-only", "secondary", "standby", "secondary", "prefer-standby", "preferSecondary");

        /**
         * {@code text} with this URL and any {@code password=} value taken out (a driver's message may quote the URL it
         * was given; a password given apart, from a postgres:// URL, goes to the driver as a property it does not quote).
         */
        public String redact(String text) {
            if (text == null) return null;
            String out = text.replace(url, "(the database URL)");
            return out.replaceAll("(?i)(password=)[^&\\s\"']*", "$1(password)");
        }

        /**
         * Besides one host, libpq's list of them ({@code postgres://u:p@db1:5432,db2:5432/herald?target_session_attrs=read-write},
         * as a cluster with a standby is given): the driver tries them in turn.
         */
        /** The user only: the password, and the URL that may hold one too (jdbc:…?password=), are not shown. */
        @Override
        public String toString() {
            return "JdbcUrl[user=" + user + ", URL and password not shown]";
        }

        public static JdbcUrl parse(String url) {
            if (url.startsWith("jdbc:postgresql:")) {
                // the driver finds no database in one without a '/' after the host, and answers "No suitable driver"
                String hostsAndPath = url.startsWith("jdbc:postgresql://") ? url.substring("jdbc:postgresql://".length()).split("\\?", 2)[0] : "/";
                if (!hostsAndPath.contains("/")) {
                    throw new IllegalArgumentException("names no database: a '/' and the database's name follow the host"
                            + " (expected " + FORM + ")");
                }
                return new JdbcUrl(url, null, null);
            }
            if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
                throw new IllegalArgumentException("not a PostgreSQL URL (expected " + FORM + ")");
            }
            int authorityStart = url.indexOf("://") + 3;
            int authorityEnd = authorityStart;
            while (authorityEnd < url.length() && "/?#".indexOf(url.charAt(authorityEnd)) < 0) authorityEnd++;
            int hostsStart = url.lastIndexOf('@', authorityEnd - 1) + 1;
            if (hostsStart <= authorityStart) hostsStart = authorityStart;
            String hosts = url.substring(hostsStart, authorityEnd);
            if (hosts.contains(",")) {
                var each = new java.util.ArrayList<String>();
                for (String host : hosts.split(",", -1)) each.add(hostOf(parse("postgres://" + host + "/").url()));
                var first = parse(url.substring(0, hostsStart) + hosts.substring(0, hosts.indexOf(',')) + url.substring(authorityEnd));
                String jdbc = first.url().replaceFirst("^jdbc:postgresql://[^/]*",
                        java.util.regex.Matcher.quoteReplacement("jdbc:postgresql://" + String.join(",", each)));
                return new JdbcUrl(jdbc, first.user(), first.password());
            }
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a valid URL: " + e.getReason() + " at character " + (e.getIndex() + 1)
                        + " (" + ESCAPES + ", a space %20, a '%' %25)");
            }
            // a service name with an underscore (herald_db) is a host to libpq, not to java.net.URI
            String host = dev.herald.domain.UrlHosts.host(uri);
            if (host == null) {
                throw new IllegalArgumentException("names no host (expected " + FORM + "; " + ESCAPES
                        + "; Unix-domain sockets are not supported)");
            }
            if (uri.getRawFragment() != null) {
                throw new IllegalArgumentException("has a '#' after the host (" + ESCAPES + ")");
            }
            String user = null;
            String password = null;
            String userInfo = dev.herald.domain.UrlHosts.rawUserInfo(uri);
            if (userInfo != null) {
                String[] parts = userInfo.split(":", 2);
                user = percentDecoded(parts[0]);
                if (parts.length == 2) password = percentDecoded(parts[1]);
            }
            // no path at all (postgres://u:p@db:5432): libpq takes the user's name for the database, as PostgreSQL does
            // for an empty one; the driver, given no '/', found no database in the URL and refused it ("No suitable driver")
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            int portNumber = dev.herald.domain.UrlHosts.port(uri);
            String port = portNumber > 0 ? ":" + portNumber : "";
            String query = uri.getRawQuery() == null ? "" : "?" + driverNames(uri.getRawQuery());
            return new JdbcUrl("jdbc:postgresql://" + host + port + path + query, user, password);
        }

        /** The host and port of a {@code jdbc:postgresql://host:port/…} URL. */
        private static String hostOf(String jdbc) {
            String rest = jdbc.substring("jdbc:postgresql://".length());
            return rest.substring(0, rest.indexOf('/'));
        }

        /** libpq's settings renamed for the driver, which would ignore them silently under their libpq names. */
        private static String driverNames(String rawQuery) {
            var out = new java.util.ArrayList<String>();
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                if (key.equals("target_session_attrs")) {
                    String type = SESSION_ATTRS.get(value);
                    if (type == null) {
                        throw new IllegalArgumentException("target_session_attrs: '" + value + "' is none of "
                                + new java.util.TreeSet<>(SESSION_ATTRS.keySet()));
                    }
                    value = type;
                }
                out.add(LIBPQ_NAMES.getOrDefault(key, key) + (eq < 0 ? "" : "=" + value));
            }
            return String.join("&", out);
        }

        /** URLDecoder reads form encoding, where '+' is a space; in a URL's user info it is a plus. */
        private static String percentDecoded(String raw) {
            // URI has refused a '%' without two hex digits already
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
    }
}
