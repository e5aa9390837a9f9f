package dev.herald.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;

/** The connection pool, the schema (Flyway) and the JDBI handle over one PostgreSQL database. */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
    }

    public static Database connect(String url, int poolSize) {
        var hikari = new HikariConfig();
        var jdbc = JdbcUrl.parse(url);
        hikari.setJdbcUrl(jdbc.url());
        if (jdbc.user() != null) hikari.setUsername(jdbc.user());
        if (jdbc.password() != null) hikari.setPassword(jdbc.password());
        hikari.setMaximumPoolSize(poolSize);
        hikari.setPoolName("herald");
        hikari.setConnectionTimeout(5_000);
        // fail at once when the database is down; callers map that to 503
        hikari.setInitializationFailTimeout(-1);
        // The queue tables swing from empty to millions of rows; a generic plan cached while they were empty
        // (seq scan + sort) would stay on the connection as they fill. Plan each execution with its values.
        hikari.setConnectionInitSql("set plan_cache_mode = force_custom_plan");
        var database = new Database(new HikariDataSource(hikari));
        database.migrate();
        return database;
    }

    private void migrate() {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /** Accepts {@code jdbc:postgresql://…} as is and {@code postgres(ql)://user:pass@host:port/db?…}. */
    public record JdbcUrl(String url, String user, String password) {
        public static JdbcUrl parse(String url) {
            if (url.startsWith("jdbc:")) return new JdbcUrl(url, null, null);
            if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
                throw new IllegalArgumentException("not a PostgreSQL URL");
            }
            URI uri = URI.create(url);
            String user = null;
            String password = null;
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
                if (parts.length == 2) password = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
            }
            String port = uri.getPort() > 0 ? ":" + uri.getPort() : "";
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return new JdbcUrl("jdbc:postgresql://" + uri.getHost() + port + uri.getRawPath() + query, user, password);
        }
    }
}
