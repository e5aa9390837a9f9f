package dev.herald.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.HashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HERALD_METRICS_TOKEN: set, /metrics answers only a scrape that carries it; unset, it is open as before. */
@ExtendWith(TestDatabase.class)
class MetricsTokenTest {
    private static HttpResponse<String> scrape(TestHerald herald, String authorization) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(herald.baseUrl() + "/metrics"));
        if (authorization != null) request.header("Authorization", authorization);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void with_a_token_only_a_scrape_that_carries_it_is_answered() throws Exception {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_METRICS_TOKEN", "scrape-me-please");
        try (var herald = TestHerald.start(env, Clock.systemUTC())) {
            for (String refused : new String[] {null, "Bearer wrong", "Bearer scrape-me-pleas", "scrape-me-please",
                    "Bearer " + TestHerald.ADMIN_TOKEN}) {
                var response = scrape(herald, refused);
                assertThat(response.statusCode()).as(String.valueOf(refused)).isEqualTo(401);
                assertThat(response.body()).contains("authentication_failed").doesNotContain("herald_");
                assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer");
            }
            var answered = scrape(herald, "Bearer scrape-me-please");
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(answered.body()).contains("herald_queue_due");
        }
    }

    @Test
    void without_a_token_the_metrics_are_open() throws Exception {
        try (var herald = TestHerald.start()) {
            var answered = scrape(herald, null);
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(answered.body()).contains("herald_queue_due").contains("herald_deletes_pending 0.0");
            // the database's reach and both pools' figures
            assertThat(answered.body()).contains("herald_database_reachable 1.0")
                    .contains("hikaricp_connections_max{pool=\"herald\"} 40.0")
                    .contains("hikaricp_connections_max{pool=\"herald-hot-path\"} 8.0")
                    .contains("hikaricp_connections_active{pool=\"herald\"}").contains("hikaricp_connections_idle{pool=\"herald\"}")
                    .contains("hikaricp_connections_pending{pool=\"herald-hot-path\"}").contains("hikaricp_connections{pool=\"herald\"}");
        }
    }
}
