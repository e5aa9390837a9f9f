package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every time the API answers is to the microsecond, as the database keeps it: the system clock reads nanoseconds here,
 * and an answer made from it (a background task's start, an AutoConfig rotation) showed nine digits that no later read
 * showed again.
 */
@ExtendWith(TestDatabase.class)
class TimesOnTheWireTest {
    static final Instant WITH_NANOS = Instant.parse("2026-05-01T10:00:00.123456789Z");

    @Test
    void the_mapper_writes_instants_to_the_microsecond() throws Exception {
        assertThat(Json.MAPPER.writeValueAsString(WITH_NANOS)).isEqualTo("\"2026-05-01T10:00:00.123456Z\"");
        assertThat(Json.MAPPER.writeValueAsString(Instant.parse("2026-05-01T10:00:00Z"))).isEqualTo("\"2026-05-01T10:00:00Z\"");
    }

    @Test
    void a_background_tasks_start_answer_reads_as_the_task_does_later() {
        try (var herald = TestHerald.start(TestHerald.defaultEnv(), Clock.fixed(WITH_NANOS, ZoneOffset.UTC))) {
            String app = herald.api.post("/api/v1/app", json("name", "times")).text("id");
            var started = herald.api.post("/api/v1/stats/usage/app", "{\"since\":\"2026-04-01T00:00:00Z\","
                    + "\"until\":\"2026-04-02T00:00:00Z\",\"appIds\":[\"" + app + "\"]}");
            assertThat(started.status()).as(started.raw()).isEqualTo(202);
            assertThat(started.text("updatedAt")).isEqualTo("2026-05-01T10:00:00.123456Z");
            var later = herald.api.get("/api/v1/background-task/" + started.text("id"));
            assertThat(later.text("updatedAt")).isEqualTo(started.text("updatedAt"));
        }
    }

    /** A clock a millisecond later at each reading: any two readings differ, as they may on a busy machine. */
    static final class SteppingClock extends Clock {
        private final java.util.concurrent.atomic.AtomicLong millis = new java.util.concurrent.atomic.AtomicLong(
                Instant.parse("2026-05-01T10:00:00Z").toEpochMilli());

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.incrementAndGet());
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void a_task_that_finished_answers_the_time_its_record_keeps_and_its_figures_as_every_answer_writes_json() {
        try (var herald = TestHerald.start(TestHerald.defaultEnv(), new SteppingClock())) {
            String app = herald.api.post("/api/v1/app", json("name", "ended")).text("id");
            var ended = herald.api.post("/api/v1/stats/usage/app", "{\"since\":\"2026-04-01T00:00:00Z\","
                    + "\"until\":\"2026-04-02T00:00:00Z\",\"appIds\":[\"" + app + "\"]}");
            assertThat(ended.status()).as(ended.raw()).isEqualTo(202);
            assertThat(ended.text("status")).as("a task this small ends within the answer's wait").isEqualTo("finished");
            var later = herald.api.get("/api/v1/background-task/" + ended.text("id"));
            assertThat(later.text("updatedAt")).isEqualTo(ended.text("updatedAt"));
            // jsonb's own text ({"appIds": […], "since": …}) was passed on as it was
            assertThat(later.raw()).contains("\"data\":{\"").doesNotContain("\": ").doesNotContain(", \"");
            var listed = herald.api.get("/api/v1/background-task");
            assertThat(listed.raw()).contains("\"data\":{\"").doesNotContain("\": ").doesNotContain(", \"");
        }
    }
}
