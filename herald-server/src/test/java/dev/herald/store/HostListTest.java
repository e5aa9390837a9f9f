package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.config.HeraldConfig;
import dev.herald.testing.TestDatabase;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * HERALD_DATABASE_URL naming several hosts, as libpq takes them for a primary and its standbys: Herald connects to the
 * first that answers and, with {@code target_session_attrs=read-write}, takes writes.
 */
class HostListTest {
    private static int testDatabasePort() {
        var m = Pattern.compile("//[^:/]+:(\\d+)/").matcher(TestDatabase.jdbcUrl());
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static int connectedPort(Database database) {
        return database.jdbi().withHandle(h -> h.createQuery("select inet_server_port()").mapTo(Integer.class).one());
    }

    @Test
    void a_host_that_is_down_is_passed_over_for_the_next() throws Exception {
        int closed = dev.herald.testing.StablePort.pick(); // nothing listens on it
        int port = testDatabasePort();
        try (var database = Database.connect("postgres://postgres@127.0.0.1:" + closed + ",127.0.0.1:" + port + "/postgres",
                1, 1, HeraldConfig.DEFAULT_DATABASE_TIMEOUT)) {
            assertThat(connectedPort(database)).isEqualTo(port);
        }
    }

    @Test
    void read_write_passes_over_a_host_that_takes_no_writes() {
        int port = testDatabasePort();
        try (var standby = EmbeddedPostgresServer.startThrowaway("herald-standby", false, Map.of("default_transaction_read_only", "on"));
             var database = Database.connect("postgres://postgres@127.0.0.1:" + standby.port() + ",127.0.0.1:" + port
                     + "/postgres?target_session_attrs=read-write", 1, 1, HeraldConfig.DEFAULT_DATABASE_TIMEOUT)) {
            assertThat(connectedPort(database)).isEqualTo(port);
        }
    }
}
