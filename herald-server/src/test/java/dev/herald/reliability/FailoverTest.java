package dev.herald.reliability;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.config.HeraldConfig;
import dev.herald.store.Database;
import dev.herald.store.EmbeddedPostgresServer;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A failover as Herald sees it: HERALD_DATABASE_URL lists two servers with {@code target_session_attrs=read-write}; the
 * first, which Herald is connected to, is demoted (it takes no more writes) and the second now takes them. Herald must
 * move its pools to the second by itself, not keep refusing writes over the connections it holds to the first.
 */
@Tag("kill")
class FailoverTest {
    /** Well under the pools' 5 and 30 minutes, after which they would have replaced the connections anyway. */
    static final Duration MOVED_WITHIN = Duration.ofSeconds(20);

    @Test
    void when_the_primary_is_demoted_herald_moves_to_the_server_that_takes_writes() throws Exception {
        try (var first = EmbeddedPostgresServer.startThrowaway("herald-first", false, Map.of());
             var second = EmbeddedPostgresServer.startThrowaway("herald-second", false, Map.of())) {
            // the second holds Herald's tables, as a standby would (a copy of nothing here: only where writes go is tested)
            Database.connect(second.jdbcUrl(), 1, 1, HeraldConfig.DEFAULT_DATABASE_TIMEOUT).close();
            var firstAdmin = Jdbi.create(first.jdbcUrl());
            var secondAdmin = Jdbi.create(second.jdbcUrl());
            setReadOnly(secondAdmin, true);

            var env = new HashMap<>(TestHerald.defaultEnv());
            env.put("HERALD_DATABASE_URL", "postgres://postgres@127.0.0.1:" + first.port() + ",127.0.0.1:" + second.port()
                    + "/postgres?target_session_attrs=read-write");
            try (var herald = TestHerald.start(env, Clock.systemUTC())) {
                assertThat(herald.api.post("/api/v1/app", json("name", "before")).status()).isEqualTo(201);
                assertThat(applicationsNamed(firstAdmin, "before")).as("written to the first server").isEqualTo(1);

                // the failover: the first takes no more writes, the second takes them
                setReadOnly(firstAdmin, true);
                setReadOnly(secondAdmin, false);

                long failedOverAt = System.nanoTime();
                Receiver.await(MOVED_WITHIN, () -> herald.api.post("/api/v1/app", json("name", "after")).status() == 201,
                        "an application created again, on the second server");
                System.out.printf("FailoverTest: writes taken again %d ms after the failover%n",
                        Duration.ofNanos(System.nanoTime() - failedOverAt).toMillis());
                assertThat(applicationsNamed(secondAdmin, "after")).as("written to the second server").isEqualTo(1);
                Receiver.await(MOVED_WITHIN, () -> herald.api.withToken(null).get("/api/v1/health").status() == 204, "health again");
                // the listening connection (other nodes' wake-ups), which only reads, moves too
                Receiver.await(MOVED_WITHIN, () -> secondAdmin.withHandle(h -> h.createQuery(
                        "select count(*) from pg_stat_activity where application_name = 'herald-listen'").mapTo(Integer.class).one()) == 1,
                        "the node listening on the second server");
            }
        }
    }

    /** Server-wide, as a demotion or a promotion would: every session's next transaction takes it. */
    private static void setReadOnly(Jdbi admin, boolean readOnly) {
        admin.useHandle(h -> h.execute("alter system set default_transaction_read_only = " + (readOnly ? "on" : "off")));
        admin.useHandle(h -> h.execute("select pg_reload_conf()"));
        Receiver.await(Duration.ofSeconds(10), () -> admin.withHandle(h -> h.createQuery("show default_transaction_read_only")
                .mapTo(String.class).one()).equals(readOnly ? "on" : "off"), "the server's read-only setting to be " + readOnly);
    }

    private static int applicationsNamed(Jdbi admin, String name) {
        return admin.withHandle(h -> h.createQuery("select count(*) from application where name = :name").bind("name", name)
                .mapTo(Integer.class).one());
    }
}
