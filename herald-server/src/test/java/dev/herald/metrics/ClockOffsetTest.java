package dev.herald.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.testing.MutableClock;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A node whose clock is far from the database's says so: {@code herald_clock_offset_seconds} and a warning, measured
 * against the real database's clock with the node's clock set ahead or behind.
 */
@ExtendWith(TestDatabase.class)
class ClockOffsetTest {
    private static final Duration LEASE = Duration.ofSeconds(60);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ClockOffset.class);

    @BeforeEach
    void captureLogs() {
        logged.start();
        logger.addAppender(logged);
        logger.setLevel(Level.INFO); // the tests' root level is WARN
    }

    @AfterEach
    void releaseLogs() {
        logger.detachAppender(logged);
        logger.setLevel(null);
    }

    private List<String> lines(Level level) {
        return logged.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void a_clock_ahead_by_more_than_the_lease_is_measured_and_warned_of_until_it_is_set_right() {
        var clock = new MutableClock(Instant.now().plusSeconds(90));
        var registry = new SimpleMeterRegistry();
        var offset = new ClockOffset(TestDatabase.jdbi(), clock, LEASE).register(registry);

        assertThat(offset.measure().toMillis() / 1000.0).isCloseTo(90, within(1.0));
        assertThat(registry.get("herald.clock.offset").gauge().value()).isCloseTo(90, within(1.0));
        assertThat(lines(Level.WARN)).singleElement().asString()
                .contains("ahead of the database's").contains("HERALD_DELIVERY_LEASE (60 s)")
                .contains("this node takes over deliveries still in flight").contains("sent twice");

        // measured again while still off: the warning is not repeated every minute
        offset.measure();
        assertThat(lines(Level.WARN)).hasSize(1);

        clock.set(Instant.now());
        assertThat(offset.measure().abs()).isLessThan(Duration.ofSeconds(1));
        assertThat(registry.get("herald.clock.offset").gauge().value()).isCloseTo(0, within(1.0));
        assertThat(lines(Level.INFO)).singleElement().asString().contains("back within 2 s of the database's");
    }

    @Test
    void a_clock_behind_by_less_than_the_lease_is_warned_of_without_the_double_sends() {
        var clock = new MutableClock(Instant.now().minusSeconds(5));
        var offset = new ClockOffset(TestDatabase.jdbi(), clock, LEASE);

        assertThat(offset.measure().toMillis() / 1000.0).isCloseTo(-5, within(1.0));
        assertThat(lines(Level.WARN)).singleElement().asString()
                .contains("5.0 s behind the database's").contains("retries and leases fall due").doesNotContain("twice");
    }

    @Test
    void a_clock_in_sync_measures_near_zero_and_says_nothing() {
        var offset = new ClockOffset(TestDatabase.jdbi(), java.time.Clock.systemUTC(), LEASE);
        assertThat(offset.measure().abs()).isLessThan(Duration.ofMillis(500));
        assertThat(logged.list).isEmpty();
    }

    @Test
    void a_node_started_with_its_clock_off_shows_the_offset_at_once() throws Exception {
        long made = System.nanoTime();
        var clock = new MutableClock(Instant.now().minusSeconds(120));
        try (var herald = TestHerald.start(TestHerald.defaultEnv(), clock)) {
            var scraped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(herald.baseUrl() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            var figure = Pattern.compile("(?m)^herald_clock_offset_seconds (\\S+)$").matcher(scraped);
            assertThat(figure.find()).as(scraped).isTrue();
            // the clock stands still: the offset grows as real time passes after the start, by the seconds the start took
            double since = (System.nanoTime() - made) / 1e9; // however long a loaded host took to start it
            assertThat(Double.parseDouble(figure.group(1))).isBetween(-121.0 - since, -119.0);
            assertThat(lines(Level.WARN)).singleElement().asString().contains("behind the database's")
                    .contains("nodes whose clocks are right take over the deliveries this one is still sending");
        }
    }
}
