package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where {@code herald listen --app} finds Herald without --server: at the port HERALD_HTTP_ADDR gives a node. */
class ListenServerTest {
    @Test
    void follows_herald_http_addr_reaching_every_address_at_loopback() {
        assertThat(ListenCliCommand.defaultServer(null)).isEqualTo("http://127.0.0.1:8071");
        assertThat(ListenCliCommand.defaultServer(" ")).isEqualTo("http://127.0.0.1:8071");
        assertThat(ListenCliCommand.defaultServer("127.0.0.1:18571")).isEqualTo("http://127.0.0.1:18571");
        assertThat(ListenCliCommand.defaultServer("0.0.0.0:9071")).isEqualTo("http://127.0.0.1:9071");
        assertThat(ListenCliCommand.defaultServer("[::]:9071")).isEqualTo("http://127.0.0.1:9071");
        assertThat(ListenCliCommand.defaultServer(":9071")).isEqualTo("http://127.0.0.1:9071");
        assertThat(ListenCliCommand.defaultServer("[::1]:9071")).isEqualTo("http://[::1]:9071");
        assertThat(ListenCliCommand.defaultServer("::1:9071")).as("a bare IPv6 address").isEqualTo("http://[::1]:9071");
        assertThat(ListenCliCommand.defaultServer("herald.internal:80")).isEqualTo("http://herald.internal:80");
        assertThat(ListenCliCommand.defaultServer("nonsense")).isEqualTo("http://127.0.0.1:8071");
    }
}
