package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.f4b6a3.ksuid.Ksuid;
import dev.herald.domain.DeliveryStatus;
import dev.herald.domain.Ids;
import dev.herald.testing.MutableClock;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An endpoint's stats count the deliveries of the messages published in a window, as Svix's do: the last 28 days by
 * default, and no window longer than that or ending in the future. They once counted every delivery the endpoint ever
 * had, reading all of them on every call (0.7 to 1.5 s at a million, whatever window was asked for).
 */
@ExtendWith(TestDatabase.class)
class EndpointStatsWindowTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final MutableClock CLOCK = new MutableClock(NOW);
    static TestHerald herald;
    private final Random random = new Random(11);
    String app;
    String endpoint;
    String stats;

    @BeforeAll
    static void start() {
        herald = TestHerald.start(new HashMap<>(TestHerald.defaultEnv()), CLOCK);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void anEndpoint() {
        CLOCK.set(NOW);
        app = herald.api.post("/api/v1/app", json("name", "S")).text("id");
        endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/s")).text("id");
        stats = "/api/v1/app/" + app + "/endpoint/" + endpoint + "/stats";
    }

    /** A message published at {@code time} (its id names that second) and its deliveries to the endpoint, oldest first. */
    private void published(Instant time, int... statuses) {
        byte[] payload = new byte[Ksuid.PAYLOAD_BYTES];
        random.nextBytes(payload);
        String msg = Ids.MESSAGE + new Ksuid(time.getEpochSecond(), payload);
        TestDatabase.jdbi().useHandle(h -> {
            h.createUpdate("insert into message (id, app_id, event_type, payload, created_at) values (:id, :app, 's.t', '{}', :at)")
                    .bind("id", msg).bind("app", app).bind("at", time).execute();
            for (int status : statuses) {
                h.createUpdate("""
                        insert into delivery (msg_id, endpoint_id, app_id, status, attempt_count, created_at, updated_at)
                        values (:msg, :endpoint, :app, :status, 1, :at, :at)
                        """).bind("msg", msg).bind("endpoint", endpoint).bind("app", app).bind("status", status)
                        .bind("at", time).execute();
            }
        });
    }

    private static String q(Instant time) {
        return URLEncoder.encode(time.toString(), StandardCharsets.UTF_8);
    }

    private Map<String, Integer> counts(String query) {
        var response = herald.api.get(stats + query);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode body = response.body();
        return Map.of("success", body.path("success").asInt(), "fail", body.path("fail").asInt(),
                "pending", body.path("pending").asInt(), "sending", body.path("sending").asInt());
    }

    private static Map<String, Integer> expected(int success, int fail, int pending) {
        return Map.of("success", success, "fail", fail, "pending", pending, "sending", 0);
    }

    @Test
    void by_default_the_last_28_days_are_counted_each_message_by_its_newest_delivery() {
        published(NOW.minus(Duration.ofDays(30)), DeliveryStatus.SUCCESS);
        published(NOW.minus(Duration.ofDays(28)).minusSeconds(2), DeliveryStatus.FAIL);
        published(NOW.minus(Duration.ofDays(27)), DeliveryStatus.SUCCESS);
        published(NOW.minus(Duration.ofDays(10)), DeliveryStatus.FAIL, DeliveryStatus.SUCCESS);
        published(NOW.minus(Duration.ofDays(1)), DeliveryStatus.FAIL);
        published(NOW.minusSeconds(5), DeliveryStatus.PENDING);

        assertThat(counts("")).as("the last 28 days; the resent message as its resend").isEqualTo(expected(2, 1, 1));
        assertThat(counts("?since=" + q(NOW.minus(Duration.ofDays(28)).minusSeconds(3)))).as("within the 5 minutes' slack")
                .isEqualTo(expected(2, 2, 1));
        assertThat(counts("?since=" + q(NOW.minus(Duration.ofDays(40))) + "&until=" + q(NOW.minus(Duration.ofDays(20)))))
                .as("an older window").isEqualTo(expected(2, 1, 0));
        assertThat(counts("?until=" + q(NOW.minus(Duration.ofDays(2)))))
                .as("28 days before until, the first second whole").isEqualTo(expected(3, 1, 0));
    }

    @Test
    void the_window_is_counted_to_the_second_its_last_second_whole() {
        Instant t = NOW.minus(Duration.ofHours(1));
        published(t.plusMillis(400), DeliveryStatus.SUCCESS);

        assertThat(counts("?since=" + q(t) + "&until=" + q(t))).isEqualTo(expected(0, 0, 0));
        assertThat(counts("?since=" + q(t) + "&until=" + q(t.plusMillis(1)))).isEqualTo(expected(1, 0, 0));
        assertThat(counts("?since=" + q(t.plusMillis(999)) + "&until=" + q(t.plusSeconds(1)))).isEqualTo(expected(1, 0, 0));
        assertThat(counts("?since=" + q(t.plusSeconds(1)))).isEqualTo(expected(0, 0, 0));
    }

    @Test
    void another_endpoints_deliveries_are_not_counted() {
        published(NOW.minusSeconds(60), DeliveryStatus.SUCCESS);
        String other = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/o")).text("id");
        var response = herald.api.get("/api/v1/app/" + app + "/endpoint/" + other + "/stats");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().path("success").asInt()).isZero();
        assertThat(counts("")).isEqualTo(expected(1, 0, 0));
    }

    @Test
    void a_window_ending_in_the_future_longer_than_28_days_or_reversed_is_a_400_invalid_range() {
        for (String query : List.of("?until=" + q(NOW.plusSeconds(1)),
                "?since=" + q(NOW.minus(Duration.ofDays(28)).minus(Duration.ofMinutes(6))),
                "?since=" + q(NOW.minus(Duration.ofDays(60))) + "&until=" + q(NOW.minus(Duration.ofDays(20))),
                "?since=" + q(NOW.minusSeconds(10)) + "&until=" + q(NOW.minusSeconds(20)),
                "?since=" + q(Instant.parse("0001-01-01T00:00:00Z")))) {
            Problems.assertError(herald.api.get(stats + query), 400, "invalid_range");
        }
        assertThat(herald.api.get(stats + "?since=" + q(NOW.minus(Duration.ofDays(28)).minus(Duration.ofMinutes(4)))).status())
                .as("five minutes' slack for clocks").isEqualTo(200);
        assertThat(herald.api.get(stats + "?until=" + q(NOW)).status()).isEqualTo(200);
    }
}
