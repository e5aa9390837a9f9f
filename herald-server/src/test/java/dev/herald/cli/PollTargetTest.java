package dev.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** `herald poll <its URL>` takes the URL the portal shows, with or without HERALD_PUBLIC_URL's path prefix. */
class PollTargetTest {
    @Test
    void the_server_keeps_a_path_prefix_and_the_ids_come_from_the_end() {
        assertThat(PollCliCommand.Target.of("http://127.0.0.1:8071/api/v1/app/app_1/poller/poll_2"))
                .isEqualTo(new PollCliCommand.Target("http://127.0.0.1:8071", "app_1", "poll_2"));
        assertThat(PollCliCommand.Target.of("https://hooks.example.com/herald/api/v1/app/app_1/poller/poll_2"))
                .isEqualTo(new PollCliCommand.Target("https://hooks.example.com/herald", "app_1", "poll_2"));
    }

    @Test
    void anything_else_is_refused() {
        for (String url : new String[] {"http://h/api/v1/app/a/endpoint/e", "http://h/api/v1/app/a/poller/", "http://h/api/v1/app/a",
                "/api/v1/app/a/poller/p", "http://h/api/v1/app/a/poller/p/extra", "http://h/x/y", "ftp://h/api/v1/app/a/poller/p"}) {
            assertThatThrownBy(() -> PollCliCommand.Target.of(url)).as(url).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
