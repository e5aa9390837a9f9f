package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.security.SecretBox;
import dev.herald.store.ApplicationStore;
import dev.herald.store.Database;
import dev.herald.store.EndpointStore;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Whether the operational endpoints want an event is read from the database every few seconds, on the recorder's
 * path. While the database is out of reach, the node goes on with the last answer rather than dropping the events
 * (and attempt logs) of the moment, and asking again at every one.
 */
@ExtendWith(TestDatabase.class)
class OperationalLookupTest {
    @Test
    void the_last_answer_stands_while_the_endpoints_cannot_be_read() throws Exception {
        try (var herald = TestHerald.start(); var receiver = new Receiver()) {
            var made = herald.api.post("/api/v1/operational-webhook/endpoint",
                    "{\"url\":\"" + receiver.url("/ops") + "\",\"filterTypes\":[\"message.attempt.log\"]}");
            assertThat(made.status()).as(made.toString()).isEqualTo(201);
        }
        var database = Database.connect(TestDatabase.jdbcUrl(), 1, 1, Duration.ofSeconds(1));
        var box = new SecretBox(Base64.getDecoder().decode(TestHerald.ENCRYPTION_KEY), List.of());
        // no event is raised here, so nothing is published: no publisher needed
        var lookup = new OperationalApplication(new ApplicationStore(database.jdbi()), new EndpointStore(database.jdbi(), box),
                Clock.systemUTC(), Duration.ofDays(1)).start(null);
        var neverRead = new OperationalApplication(new ApplicationStore(database.jdbi()), new EndpointStore(database.jdbi(), box),
                Clock.systemUTC(), Duration.ofDays(1)).start(null);
        try {
            assertThat(lookup.wantsAttemptLog()).isTrue();
            assertThat(lookup.wants("app_customer")).isTrue();

            database.close(); // every read fails from now on
            lookup.endpointsChanged(); // and the next event asks again at once
            assertThat(lookup.wantsAttemptLog()).as("the last answer, the endpoints being out of reach").isTrue();
            assertThat(lookup.wants("app_customer")).isTrue();
            assertThatThrownBy(() -> database.jdbi().withHandle(h -> h.execute("select 1"))).isInstanceOf(RuntimeException.class);

            assertThat(neverRead.wantsAttemptLog()).as("nothing read yet: nothing to go on").isFalse();
            assertThat(neverRead.wants("app_customer")).isFalse();
        } finally {
            lookup.close();
            neverRead.close();
        }
    }
}
