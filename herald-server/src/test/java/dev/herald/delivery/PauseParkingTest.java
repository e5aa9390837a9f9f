package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.store.PauseStore;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A paused endpoint's queue rows are parked out of every claim's way (due at 'infinity', their due time kept): left
 * due, each claim of every node read past all of them, a million a claim for a paused endpoint with a backlog.
 */
@ExtendWith(TestDatabase.class)
class PauseParkingTest {

    /** The endpoint's queue rows: due time, and the due time kept while parked. */
    private static List<Map<String, Object>> rows(String endpoint) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("""
                select q.next_attempt_at = 'infinity' as parked, q.paused_due, q.next_attempt_at = d.next_attempt_at as as_published
                from delivery_queue q join delivery d on d.id = q.delivery_id where q.endpoint_id = :ep order by q.delivery_id
                """).bind("ep", endpoint).mapToMap().list());
    }

    @Test
    void pausing_parks_the_queued_rows_publishing_parks_new_ones_and_resuming_makes_them_due_as_they_were() throws Exception {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_DELIVERY_PAUSED", "true"); // the rows stay queued until the end
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC())) {
            String app = herald.api.post("/api/v1/app", json("name", "parking")).text("id");
            String paused = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/paused"))).text("id");
            String live = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/live"))).text("id");
            for (int i = 0; i < 3; i++) herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":" + i + "}}");
            assertThat(rows(paused)).hasSize(3).allSatisfy(r -> assertThat(r.get("parked")).isEqualTo(false));

            assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint/" + paused + "/pause", "").status()).isEqualTo(204);
            assertThat(rows(paused)).hasSize(3).allSatisfy(r -> {
                assertThat(r.get("parked")).isEqualTo(true);
                assertThat(r.get("paused_due")).isNotNull();
            });
            for (int i = 3; i < 5; i++) herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":" + i + "}}");
            assertThat(rows(paused)).as("written parked").hasSize(5).allSatisfy(r -> assertThat(r.get("parked")).isEqualTo(true));
            assertThat(rows(live)).hasSize(5).allSatisfy(r -> {
                assertThat(r.get("parked")).isEqualTo(false);
                assertThat(r.get("paused_due")).isNull();
            });
            // a second pause moves nothing twice
            assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint/" + paused + "/pause", "").status()).isEqualTo(204);

            assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint/" + paused + "/resume", "").status()).isEqualTo(204);
            assertThat(rows(paused)).hasSize(5).allSatisfy(r -> {
                assertThat(r.get("parked")).isEqualTo(false);
                assertThat(r.get("paused_due")).isNull();
                assertThat(r.get("as_published")).as("due when it was due").isEqualTo(true);
            });
            assertThat(herald.api.post("/api/v1/admin/resume", "").status()).isEqualTo(204);
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/paused").size() == 5
                    && receiver.requests("/live").size() == 5, "every delivery after the resumes");
        }
    }

    /** A publish that read the pause before a resume committed writes parked rows the resume did not see: swept. */
    @Test
    void rows_left_parked_for_an_endpoint_no_longer_paused_are_made_due_by_the_sweep() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_DELIVERY_PAUSED", "true");
        String resumed;
        String stillPaused;
        try (var herald = TestHerald.start(env, Clock.systemUTC())) {
            String app = herald.api.post("/api/v1/app", json("name", "race")).text("id");
            resumed = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/r")).text("id");
            stillPaused = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/s")).text("id");
            herald.api.post("/api/v1/app/" + app + "/endpoint/" + resumed + "/pause", "");
            herald.api.post("/api/v1/app/" + app + "/endpoint/" + stillPaused + "/pause", "");
            for (int i = 0; i < 2; i++) herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}");
        }
        // the node is stopped, so its own sweep does not run first; the resume's unpark missed them: only its pause is gone
        TestDatabase.jdbi().useHandle(h -> h.execute("delete from endpoint_pause where endpoint_id = ?", resumed));
        assertThat(rows(resumed)).hasSize(2).allSatisfy(r -> assertThat(r.get("parked")).isEqualTo(true));

        var pauses = new PauseStore(TestDatabase.jdbi());
        assertThat(pauses.unparkResumed()).isEqualTo(2);
        assertThat(rows(resumed)).hasSize(2).allSatisfy(r -> assertThat(r.get("as_published")).isEqualTo(true));
        assertThat(rows(stillPaused)).hasSize(2).allSatisfy(r -> assertThat(r.get("parked")).isEqualTo(true));
        assertThat(pauses.unparkResumed()).isZero();
    }
}
