package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.app;
import static dev.herald.delivery.DeliveryFixture.endpoint;
import static dev.herald.delivery.DeliveryFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HERALD_MAX_IN_FLIGHT_PER_ENDPOINT: a slow endpoint gets at most that many requests at once and holds no one else up. */
@ExtendWith(TestDatabase.class)
class DeliveryConcurrencyTest {

    @Test
    void a_slow_endpoint_is_capped_and_does_not_delay_another_endpoint() {
        try (var receiver = new Receiver(); var herald = withCap(4)) {
            receiver.reply(r -> r.path().equals("/slow")
                    ? new Receiver.Reply(200, Map.of(), Duration.ofSeconds(1))
                    : Receiver.Reply.status(200));
            var api = herald.api;
            String slowApp = app(api, "slow");
            String fastApp = app(api, "fast");
            endpoint(api, slowApp, receiver.url("/slow"));
            endpoint(api, fastApp, receiver.url("/fast"));

            publishMany(api, slowApp, 40);
            publishMany(api, fastApp, 10);

            Receiver.await(Duration.ofSeconds(5), () -> receiver.requests("/fast").size() == 10,
                    "all of the fast endpoint's messages");
            int slowSoFar = receiver.requests("/slow").size();
            assertThat(slowSoFar).as("the slow endpoint is still working through its backlog").isLessThan(40);

            // let the slow backlog run for a few rounds, then look at the peak concurrency it saw
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/slow").size() >= 12, "three rounds at the slow endpoint");
            assertThat(receiver.maxConcurrent("/slow")).isEqualTo(4);
        }
    }

    @Test
    void with_the_default_cap_a_slow_endpoint_does_not_delay_another_endpoint_on_the_same_host() {
        // many endpoints on one host is common (a multi-tenant receiver); the cap is per endpoint, not per host
        try (var receiver = new Receiver(); var herald = TestHerald.start()) {
            // 6 s answers: blocked behind them, the fast one would wait that long; a loaded host's hiccup is far less
            receiver.reply(r -> r.path().equals("/slow")
                    ? new Receiver.Reply(200, Map.of(), Duration.ofSeconds(6))
                    : Receiver.Reply.status(200));
            var api = herald.api;
            String slowApp = app(api, "slow");
            String fastApp = app(api, "fast");
            endpoint(api, slowApp, receiver.url("/slow"));
            endpoint(api, fastApp, receiver.url("/fast"));

            publishMany(api, slowApp, 40);
            Receiver.await(Duration.ofSeconds(5), () -> receiver.requests("/slow").size() >= 32, "the slow endpoint at its cap");
            long start = System.nanoTime();
            publish(api, fastApp, "{\"eventType\":\"c.t\",\"payload\":{}}");
            Receiver.await(Duration.ofSeconds(5), () -> receiver.requests("/fast").size() == 1, "the fast endpoint's message");
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMs).as("fast endpoint delivered after %d ms", tookMs).isLessThan(3_000);
        }
    }

    @Test
    void an_endpoint_that_answers_fast_gets_more_than_the_slow_cap_in_flight() {
        try (var receiver = new Receiver(); var herald = withCap(128)) {
            receiver.reply(r -> new Receiver.Reply(200, Map.of(), Duration.ofMillis(150)));
            var api = herald.api;
            String app = app(api, "fast");
            String ep = endpoint(api, app, receiver.url("/fast"));
            // a backlog due all at once: publish while the endpoint is paused
            assertThat(api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/pause", "").status()).isEqualTo(204);
            publishMany(api, app, 300);
            assertThat(api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/resume", "").status()).isEqualTo(204);

            Receiver.await(Duration.ofSeconds(20), () -> receiver.requests("/fast").size() == 300, "all 300 deliveries");
            assertThat(receiver.maxConcurrent("/fast")).as("past the slow cap of %d once it answered fast", Dispatcher.SLOW_ENDPOINT_IN_FLIGHT)
                    .isGreaterThan(Dispatcher.SLOW_ENDPOINT_IN_FLIGHT).isLessThanOrEqualTo(128);
        }
    }

    @Test
    void a_full_slow_endpoints_due_deliveries_are_spread_out_and_all_still_arrive() {
        try (var receiver = new Receiver(); var herald = withCap(2)) {
            receiver.reply(r -> new Receiver.Reply(200, Map.of(), Duration.ofMillis(1_500)));
            var api = herald.api;
            String app = app(api, "slow");
            endpoint(api, app, receiver.url("/slow"));
            publishMany(api, app, 10);

            // two in flight and two waiting; once the endpoint has been slow for a second the other six are paced
            Receiver.await(Duration.ofSeconds(10), () -> pacedRows() > 0, "the slow endpoint's due deliveries to be paced");
            Receiver.await(Duration.ofSeconds(30), () -> receiver.requests("/slow").size() == 10, "all ten deliveries");
            assertThat(receiver.maxConcurrent("/slow")).isEqualTo(2);
        }
    }

    @Test
    void deliveries_paced_while_an_endpoint_was_slow_are_due_again_once_it_answers_fast() throws Exception {
        // rounds every 100 ms: the lane is found silent in the second before its first answers
        try (var receiver = new Receiver(); var herald = withCap(4, Map.of("HERALD_POLL_INTERVAL", "100ms"))) {
            var api = herald.api;
            var cold = coldStartingEndpoint(api, receiver);
            publishMany(api, cold.app(), 60);

            // four in flight, four waiting; silent for a second, the lane is paced: the rest spread out a quarter of a
            // second or more apart (some 13 s for 52). Answering fast again, they are made due at once.
            Receiver.await(Duration.ofSeconds(10), () -> pacedRows() > 0, "the endpoint's due deliveries to be paced");
            long warm = cold.warmUp();
            Receiver.await(Duration.ofSeconds(30), () -> receiver.requests("/cold").size() == 60, "all sixty deliveries");
            assertThat(Duration.ofNanos(System.nanoTime() - warm))
                    .as("not spread over the pacing (the last paced one would have come some 13 s after it began)")
                    .isLessThan(Duration.ofSeconds(6));
            // made due, not merely come due while the test was slow
            assertThat(herald.herald.metrics().unpacedCount()).as("deliveries made due again").isPositive();
        }
    }

    @Test
    void deliveries_published_while_an_endpoint_is_slow_are_written_paced_and_due_again_once_it_answers_fast() throws Exception {
        try (var receiver = new Receiver(); var herald = withCap(4, Map.of("HERALD_POLL_INTERVAL", "100ms"))) {
            var api = herald.api;
            var cold = coldStartingEndpoint(api, receiver);
            publishMany(api, cold.app(), 20);
            Receiver.await(Duration.ofSeconds(10), () -> herald.herald.metrics().pacedCount() > 0, "the first deliveries to be paced");

            // its first requests still unanswered, the endpoint is slow: these are written where its pacing has got to
            // (their delivery rows due well after they were made), not due and then moved
            publishMany(api, cold.app(), 20);
            assertThat(writtenPaced()).as("deliveries written paced").isEqualTo(20);
            // answering fast again, the paced ones are made due at once, those written paced too
            long warm = cold.warmUp();
            Receiver.await(Duration.ofSeconds(30), () -> receiver.requests("/cold").size() == 40, "all forty deliveries");
            assertThat(Duration.ofNanos(System.nanoTime() - warm))
                    .as("not spread over the pacing (the last one written paced would have come some 9 s after it began)")
                    .isLessThan(Duration.ofSeconds(6));
            assertThat(herald.herald.metrics().unpacedCount()).as("deliveries made due again").isPositive();
        }
    }

    @Test
    void claims_that_could_only_repeat_a_dry_one_are_not_made() {
        // cap 4, also the slow cap: with any request out the lane has less room than a claim includes it for, and a claim
        // leaving it out finds nothing. No poll: every claim here is one a result woke
        try (var receiver = new Receiver(); var herald = withCap(4, Map.of("HERALD_POLL_INTERVAL", "1h"))) {
            // the four of a round answered 50 ms apart, so their results are recorded one by one
            var requests = new java.util.concurrent.atomic.AtomicInteger();
            receiver.reply(r -> new Receiver.Reply(200, Map.of(), Duration.ofMillis(10 + 50 * (requests.getAndIncrement() % 4))));
            var api = herald.api;
            String app = app(api, "full");
            String ep = endpoint(api, app, receiver.url("/full"));
            // a backlog due all at once, so that claims (not leases at publish) carry it
            assertThat(api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/pause", "").status()).isEqualTo(204);
            publishMany(api, app, 40);
            var claims = new java.util.concurrent.atomic.AtomicInteger();
            herald.herald.metrics().observeClaims(nanos -> claims.incrementAndGet());
            assertThat(api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/resume", "").status()).isEqualTo(204);

            Receiver.await(Duration.ofSeconds(20), () -> receiver.requests("/full").size() == 40, "all 40 deliveries");
            // ten rounds of four: a claim that takes four per round, and one dry claim leaving the endpoint out (the
            // results after it change nothing for the others). Each result woke one before: 28 claims
            // (up to 20: a loaded host records results bunched or spread differently; the old behaviour was 28)
            assertThat(claims.get()).as("claims for 40 deliveries, four at a time").isBetween(10, 20);
        }
    }

    @Test
    void work_signalled_while_claims_run_dry_beside_a_full_lane_is_claimed_at_once() {
        // as above, a lane of four with a backlog, rounds of some 300 ms: about three seconds to drain
        try (var receiver = new Receiver(); var herald = withCap(4, Map.of("HERALD_POLL_INTERVAL", "1h"))) {
            var requests = new java.util.concurrent.atomic.AtomicInteger();
            receiver.reply(r -> r.path().startsWith("/full")
                    ? new Receiver.Reply(200, Map.of(), Duration.ofMillis(10 + 100 * (requests.getAndIncrement() % 4)))
                    : Receiver.Reply.status(200));
            var api = herald.api;
            String fullApp = app(api, "full");
            String otherApp = app(api, "other");
            String full = endpoint(api, fullApp, receiver.url("/full"));
            String other = endpoint(api, otherApp, receiver.url("/other"));
            assertThat(api.post("/api/v1/app/" + fullApp + "/endpoint/" + full + "/pause", "").status()).isEqualTo(204);
            assertThat(api.post("/api/v1/app/" + otherApp + "/endpoint/" + other + "/pause", "").status()).isEqualTo(204);
            publishMany(api, fullApp, 40);
            publishMany(api, otherApp, 3);
            assertThat(api.post("/api/v1/app/" + fullApp + "/endpoint/" + full + "/resume", "").status()).isEqualTo(204);
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/full").size() >= 8, "two rounds of the full lane");

            // the resume signals work: the next claim is made, although the last ones that left the full lane out were dry
            assertThat(api.post("/api/v1/app/" + otherApp + "/endpoint/" + other + "/resume", "").status()).isEqualTo(204);
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/other").size() == 3, "the other endpoint's three");
            assertThat(receiver.requests("/full").size())
                    .as("the other endpoint served while the full one still has a backlog (its rows are due later)")
                    .isLessThan(40);
        }
    }

    /**
     * An application with one endpoint at {@code /cold} that starts cold: its first four requests are answered only once
     * the test warms it up (a fixed delay left the test a few hundred milliseconds of slowness to publish in, too few
     * on a loaded host), every later one at once.
     */
    private static ColdEndpoint coldStartingEndpoint(dev.herald.testing.ApiClient api, Receiver receiver) {
        var answered = new java.util.concurrent.atomic.AtomicInteger();
        var warm = new java.util.concurrent.CountDownLatch(1);
        receiver.reply(r -> {
            if (answered.incrementAndGet() <= 4) {
                try {
                    warm.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Receiver.Reply.status(200);
        });
        String app = app(api, "cold");
        endpoint(api, app, receiver.url("/cold"));
        return new ColdEndpoint(app, warm);
    }

    private record ColdEndpoint(String app, java.util.concurrent.CountDownLatch warm) {
        /** Answers the requests held so far, and every later one at once; returns when (System.nanoTime). */
        long warmUp() {
            long now = System.nanoTime();
            warm.countDown();
            return now;
        }
    }

    /** Pending deliveries never tried whose due time was moved ahead (a claim's lease would count an attempt). */
    private static int pacedRows() {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("""
                select count(*) from delivery_queue where attempt_count = 0 and next_attempt_at > now() + interval '500 ms'
                """).mapTo(Integer.class).one());
    }

    /** Deliveries whose row was written due a good while after it was made: written paced, not moved (a move changes only the queue row). */
    private static int writtenPaced() {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("""
                select count(*) from delivery where next_attempt_at > created_at + interval '300 ms'
                """).mapTo(Integer.class).one());
    }

    private static TestHerald withCap(int maxInFlightPerEndpoint) {
        return withCap(maxInFlightPerEndpoint, Map.of());
    }

    private static TestHerald withCap(int maxInFlightPerEndpoint, Map<String, String> more) {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_MAX_IN_FLIGHT_PER_ENDPOINT", Integer.toString(maxInFlightPerEndpoint));
        env.putAll(more);
        return TestHerald.start(env, Clock.systemUTC());
    }

    private static void publishMany(dev.herald.testing.ApiClient api, String app, int count) {
        for (int i = 0; i < count; i++) publish(api, app, "{\"eventType\":\"c.t\",\"payload\":{\"i\":" + i + "}}");
    }
}
