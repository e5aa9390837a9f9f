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

    /**
     * The listener only reads, so a connection that went silent under it (a partition that healed only for new
     * connections, a failover whose old primary vanished, a session the server gave up) would never fail: the node
     * would hear no other node's wake-ups again. It proves its connection now and then, and listens anew on a new one.
     */
    @Test
    void a_listener_whose_connection_went_silent_listens_again_on_a_new_one() throws Exception {
        var port = java.util.regex.Pattern.compile("//[^:/]+:(\\d+)/").matcher(TestDatabase.jdbcUrl());
        assertThat(port.find()).isTrue();
        try (var proxy = new dev.herald.testing.TcpProxy(Integer.parseInt(port.group(1)));
             var database = dev.herald.store.Database.connect(
                     TestDatabase.jdbcUrl().replace(":" + port.group(1) + "/", ":" + proxy.port() + "/"), 2, 1, Duration.ofSeconds(1));
             var signal = new QueueSignal(database.dataSource()).start();
             var other = DriverManager.getConnection(TestDatabase.jdbcUrl())) {
            awaitWokenByAnotherNode(signal, other, Duration.ofSeconds(10));

            assertThat(proxy.blackholeOpenConnections()).isPositive(); // the listener's among them; new ones get through
            long cutAt = System.nanoTime();
            awaitWokenByAnotherNode(signal, other, QueueSignal.LISTENER_PROOF_INTERVAL.plusSeconds(10));
            System.out.printf("QueueSignalTest: listening again %d ms after its connection went silent%n",
                    Duration.ofNanos(System.nanoTime() - cutAt).toMillis());
        }
    }

    /** Another node's notification, sent until {@code signal} takes it or {@code within} passes. */
    private static void awaitWokenByAnotherNode(QueueSignal signal, Connection other, Duration within) throws Exception {
        long before = signal.workSignals();
        long deadline = System.nanoTime() + within.toNanos();
        while (signal.workSignals() == before && System.nanoTime() < deadline) {
            try (var st = other.createStatement()) {
                st.execute("notify " + QueueSignal.CHANNEL + ", 'another-node'");
            }
            Thread.sleep(100);
        }
        assertThat(signal.workSignals()).as("woken by another node's notification within " + within).isGreaterThan(before);
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
