package dev.herald.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/** Notifications go out for other nodes only: a node alone on its database sends none. */
@ExtendWith(TestDatabase.class)
class QueueSignalTest {
    /** A listener on the channel, as another node's would be once it is named like one. */
    private static Connection listening() throws Exception {
        Connection c = DriverManager.getConnection(TestDatabase.jdbcUrl());
        try (var st = c.createStatement()) {
            st.execute("listen " + QueueSignal.CHANNEL);
        }
        return c;
    }

    /** Notifications the connection receives within {@code wait}. */
    private static int received(Connection c, Duration wait) throws Exception {
        var n = c.unwrap(PGConnection.class).getNotifications((int) wait.toMillis());
        return n == null ? 0 : n.length;
    }

    @Test
    void a_node_notifies_only_while_another_nodes_listener_is_connected() throws Exception {
        var dataSource = new org.postgresql.ds.PGSimpleDataSource();
        dataSource.setURL(TestDatabase.jdbcUrl());
        try (var other = listening(); var signal = new QueueSignal(dataSource, Duration.ZERO).start()) {
            // a listener not named as a node's does not count: nothing is sent
            signal.published();
            assertThat(received(other, Duration.ofMillis(500))).isZero();

            try (var st = other.createStatement()) {
                st.execute("set application_name = '" + QueueSignal.LISTENER_NAME + "'");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int got = 0;
            while (got == 0 && System.nanoTime() < deadline) {
                signal.published();
                got = received(other, Duration.ofMillis(200));
            }
            assertThat(got).as("a notification once another node listens").isPositive();
        }
    }
}
