package dev.herald.api;

import static dev.herald.api.Problems.assertError;
import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.AtOnce;
import dev.herald.testing.MutableClock;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every delivery is signed with each secret still in its grace, so rotations without a bound grew every request's
 * signature header, and its signing, without end (one signature a request for each secret in its grace). As Svix's
 * {@code MAX_OLD_KEYS}: ten retired secrets may sign beside the current one; an eleventh rotation is a 400
 * {@code limit_reached} and changes nothing, until a grace ends or the rotation asks for none.
 */
@ExtendWith(TestDatabase.class)
class SecretRotationLimitTest {
    private static final String KEY = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @Test
    void a_rotation_beyond_the_limit_within_the_grace_is_refused_and_changes_nothing() {
        var clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
        try (var herald = TestHerald.start(TestHerald.defaultEnv(), clock)) {
            String app = herald.api.post("/api/v1/app", json("name", "Rotating")).text("id");
            String ep = "/api/v1/app/" + app + "/endpoint/"
                    + herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "https://example.com/r")).text("id");
            for (int i = 0; i < EndpointRoutes.MAX_RETIRED_SECRETS; i++) {
                clock.advance(Duration.ofMinutes(1));
                assertThat(herald.api.post(ep + "/secret/rotate", "{}").status()).as("rotation " + (i + 1)).isEqualTo(204);
            }
            String current = herald.api.get(ep + "/secret").text("key");

            assertError(herald.api.post(ep + "/secret/rotate", "{}"), 400, "limit_reached");
            assertError(herald.api.post(ep + "/secret/rotate", json("key", KEY)), 400, "limit_reached");
            assertError(herald.api.patch(ep, json("secret", KEY, "description", "changed")), 400, "limit_reached");
            assertThat(herald.api.get(ep + "/secret").text("key")).isEqualTo(current);
            assertThat(herald.api.get(ep).text("description")).isEmpty();

            // a rotation that retires the current secret at once adds nothing that signs
            assertThat(herald.api.post(ep + "/secret/rotate", json("key", KEY, "gracePeriodSeconds", 0)).status()).isEqualTo(204);
            assertThat(herald.api.get(ep + "/secret").text("key")).isEqualTo(KEY);

            // once the first rotation's grace is over, one more is taken
            // the rotations were a minute apart from minute 1: the first one's grace ends at 24 h and a minute
            clock.advance(Duration.ofHours(24).minusMinutes(EndpointRoutes.MAX_RETIRED_SECRETS - 1));
            assertThat(herald.api.post(ep + "/secret/rotate", "{}").status()).isEqualTo(204);
            assertError(herald.api.post(ep + "/secret/rotate", "{}"), 400, "limit_reached");
        }
    }

    /**
     * Rotations sent at once take turns: each retires the secret current when it runs. Two at once once retired the
     * same secret and made two current ones, which the database refused: a 500 (for 5 of 12 sent at once on a node).
     */
    @Test
    void rotations_at_once_each_take_their_turn_and_the_limit_holds_among_them() throws Exception {
        var clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
        try (var herald = TestHerald.start(TestHerald.defaultEnv(), clock)) {
            String app = herald.api.post("/api/v1/app", json("name", "Racing")).text("id");
            String id = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "https://example.com/r")).text("id");
            String ep = "/api/v1/app/" + app + "/endpoint/" + id;

            var first = AtOnce.run(8, i -> herald.api.post(ep + "/secret/rotate", "{}").status());
            assertThat(first).as("eight at once").containsOnly(204);
            assertThat(secrets(id, "expires_at is null")).as("one current secret").isEqualTo(1);
            assertThat(secrets(id, "expires_at is not null")).as("each rotation retired one").isEqualTo(8);

            var second = AtOnce.run(6, i -> herald.api.post(ep + "/secret/rotate", "{}").status());
            assertThat(second).as("two more fit under the limit of ten retired").containsOnly(204, 400);
            assertThat(second.stream().filter(s -> s == 204)).hasSize(EndpointRoutes.MAX_RETIRED_SECRETS - 8);
            assertThat(secrets(id, "expires_at is null")).isEqualTo(1);
            assertThat(secrets(id, "expires_at is not null")).isEqualTo(EndpointRoutes.MAX_RETIRED_SECRETS);
            assertThat(herald.api.get(ep + "/secret").status()).isEqualTo(200);
        }
    }

    private static long secrets(String endpointId, String condition) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery(
                "select count(*) from endpoint_secret where endpoint_id = :id and " + condition)
                .bind("id", endpointId).mapTo(Long.class).one());
    }
}
