package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.testing.ApiClient;
import dev.herald.testing.HeraldProcess;
import dev.herald.testing.TestHerald;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a node waits for its embedded PostgreSQL to start: while the server runs and is starting, however long that
 * takes (a replay after an unclean stop may outlast any fixed wait), and no longer once it has stopped or is ready but
 * refuses Herald. The library used to wait a fixed 60 s whatever the server did, then give up without a reason.
 */
class EmbeddedStartWaitTest {

    /** A data directory the server has started in once and stopped cleanly. */
    private static Path made(Path dir) {
        Path pg = dir.resolve("pg");
        EmbeddedPostgresServer.start(pg, false).close();
        return pg;
    }

    private static void appendSettings(Path pg, String settings) throws Exception {
        Files.writeString(pg.resolve("postgresql.auto.conf"), settings, StandardOpenOption.APPEND);
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS) // the library's fixed wait alone was 60 s
    void a_server_that_stops_as_it_starts_is_reported_at_once_with_its_reason(@TempDir Path dir) throws Exception {
        Path pg = made(dir);
        appendSettings(pg, "shared_buffers = 'lots'\n");

        assertThatThrownBy(() -> EmbeddedPostgresServer.start(pg, false))
                .isInstanceOf(EmbeddedPostgresServer.NotStartedException.class)
                .hasMessageStartingWith("embedded PostgreSQL did not start in " + pg.toAbsolutePath())
                .hasMessageContaining("invalid value for parameter \"shared_buffers\": \"lots\"")
                .hasMessageContaining("FATAL:");
        assertThat(EmbeddedPostgresServer.livePostmaster(pg)).isEmpty();
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void a_ready_server_that_refuses_herald_password_is_stopped_and_its_answer_given(@TempDir Path dir) throws Exception {
        Path pg = made(dir);
        Files.writeString(EmbeddedPostgresServer.passwordFile(pg), "not-the-password-it-was-given\n");

        assertThatThrownBy(() -> EmbeddedPostgresServer.start(pg, false))
                .isInstanceOf(EmbeddedPostgresServer.NotStartedException.class)
                .hasMessageStartingWith("embedded PostgreSQL started in " + pg.toAbsolutePath() + " but Herald cannot log in to it: ")
                .hasMessageContaining("password authentication failed for user \"postgres\"")
                .hasMessageContaining(EmbeddedPostgresServer.passwordFile(pg).toAbsolutePath().toString());
        assertThat(EmbeddedPostgresServer.livePostmaster(pg)).isEmpty();
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void a_server_that_takes_longer_to_start_than_pg_ctl_waits_is_waited_for_while_it_runs(@TempDir Path dir) throws Exception {
        Path pg = made(dir);
        // a slow start of a live server, as a long replay is: each WAL file is first asked of an archive that takes 2 s
        // to answer that it has none (read-only connections refused meanwhile, as in a crash recovery)
        appendSettings(pg, "restore_command = 'sleep 2; false'\nhot_standby = off\n");
        Files.createFile(pg.resolve("recovery.signal"));
        var env = TestHerald.embeddedEnv(dir);
        env.remove("HERALD_HTTP_ADDR");
        env.put("PGCTLTIMEOUT", "1"); // pg_ctl stops waiting after 1 s instead of 60: the server starts on regardless
        Path log = HeraldProcess.tempLog("slow-start").toPath();

        try (var herald = HeraldProcess.start(env, log)) {
            var api = new ApiClient(herald.baseUrl(), TestHerald.ADMIN_TOKEN);
            assertThat(api.get("/api/v1/app").status()).isEqualTo(200);
        } finally {
            EmbeddedPostgresServer.livePostmaster(pg).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroy);
        }
        // pg_ctl gave up on it, and the node waited on while the server ran
        assertThat(Files.readString(EmbeddedPostgresServer.startLogOf(pg))).contains("server did not start in time");
        Files.deleteIfExists(log);
    }
}
