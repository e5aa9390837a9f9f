package dev.herald.testing;

import dev.herald.app.Herald;
import dev.herald.config.HeraldConfig;
import dev.herald.outbound.HostResolver;
import java.io.PrintStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** A real Herald on a random port over the shared test database, with known tokens and keys. */
public final class TestHerald implements AutoCloseable {
    public static final String ADMIN_TOKEN = "sk_test_admin_token_0123456789";
    public static final String ENCRYPTION_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    public final Herald herald;
    public final ApiClient api;

    private TestHerald(Herald herald) {
        this.herald = herald;
        this.api = new ApiClient("http://127.0.0.1:" + herald.port(), ADMIN_TOKEN);
    }

    public static Map<String, String> defaultEnv() {
        var env = new HashMap<String, String>();
        env.put("HERALD_HTTP_ADDR", "127.0.0.1:0");
        env.put("HERALD_DATABASE_URL", TestDatabase.jdbcUrl());
        env.put("HERALD_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("HERALD_ENCRYPTION_KEY", ENCRYPTION_KEY);
        env.put("HERALD_WHITELIST_SUBNETS", "127.0.0.0/8");
        return env;
    }

    /** A node on the embedded PostgreSQL in {@code dataDir} (HERALD_DATA_DIR), its encryption key in a file there. */
    public static Map<String, String> embeddedEnv(java.nio.file.Path dataDir) {
        var env = defaultEnv();
        env.remove("HERALD_DATABASE_URL");
        env.remove("HERALD_ENCRYPTION_KEY");
        env.put("HERALD_DATA_DIR", dataDir.toString());
        return env;
    }

    public static TestHerald start() {
        return start(defaultEnv(), Clock.systemUTC());
    }

    public static TestHerald start(Map<String, String> env, Clock clock) {
        return start(env, clock, HostResolver.system());
    }

    /** With a fake DNS: {@code hostResolver} maps host names to addresses for outbound deliveries. */
    public static TestHerald start(Map<String, String> env, Clock clock, HostResolver hostResolver) {
        var config = HeraldConfig.fromEnvironment(env);
        return new TestHerald(new Herald(config, clock, hostResolver).start(new PrintStream(OutputStream.nullOutputStream())));
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + herald.port();
    }

    @Override
    public void close() {
        herald.close();
    }
}
