package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.app;
import static dev.herald.delivery.DeliveryFixture.endpoint;
import static dev.herald.delivery.DeliveryFixture.pause;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.MutableClock;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HERALD_CIRCUIT_BREAKER_FAILURES: an endpoint failing every request stops receiving them for a while (its
 * deliveries wait, no attempt counted), one probe at a time finds out when it is back, and then every message arrives.
 */
@ExtendWith(TestDatabase.class)
class CircuitBreakerDeliveryTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final int MESSAGES = 40;

    @Test
    void a_failing_endpoint_is_held_back_probed_once_per_open_period_and_gets_everything_once_it_is_back() {
        try (var f = new DownAndUp("breaker")) {
            for (int i = 0; i < MESSAGES; i++) f.publish("{\"eventType\":\"c.t\",\"payload\":{\"i\":" + i + "}}");

            Receiver.await(Duration.ofSeconds(10), () -> f.receiver.requests("/up").size() == MESSAGES, "the healthy endpoint's messages");
            // five failures open the breaker; at most the other request in flight (cap 2) fails after them
            Receiver.await(Duration.ofSeconds(10), () -> heldRows(f.failing, T0.plus(CircuitBreaker.FIRST_OPEN)) >= MESSAGES - 6,
                    "the failing endpoint's due deliveries held until the breaker's probe");
            pause(Duration.ofSeconds(1));
            int beforeProbe = f.receiver.requests("/down").size();
            assertThat(beforeProbe).as("requests to the failing endpoint before it was held back").isBetween(5, 6);
            // attempt rows are written in batches after the requests: waited for, not read at once
            Receiver.await(Duration.ofSeconds(10), () -> attemptRows(f.failing) == beforeProbe, "an attempt row per request held back");

            // the open period ends: one probe, it fails, and the breaker opens for twice as long
            Map<Long, Instant> parked = parkedRows(f.failing);
            assertThat(parked).as("held deliveries parked well past the open period").hasSizeGreaterThanOrEqualTo(MESSAGES - 7);
            f.clock.advance(CircuitBreaker.FIRST_OPEN);
            Receiver.await(Duration.ofSeconds(10), () -> f.receiver.requests("/down").size() == beforeProbe + 1, "one probe");
            pause(Duration.ofSeconds(2));
            assertThat(f.receiver.requests("/down")).as("only one probe per open period").hasSize(beforeProbe + 1);
            // a failed probe does not move the backlog again: at most the probe's row and the next probe's left the park
            Map<Long, Instant> after = parkedRows(f.failing);
            long unmoved = parked.entrySet().stream().filter(e -> e.getValue().equals(after.get(e.getKey()))).count();
            assertThat(unmoved).as("parked rows left where they were by the failed probe").isGreaterThanOrEqualTo(parked.size() - 2);
            assertThat(f.receiver.requests("/up")).as("the healthy endpoint got each message once").hasSize(MESSAGES);

            // the endpoint is back; past the next open period (and the failed probe's retry) all arrive
            f.down.set(false);
            f.clock.advance(Duration.ofSeconds(400)); // 300 s with its ±20% jitter
            Receiver.await(Duration.ofSeconds(20), () -> f.acceptedAtDown.size() == MESSAGES, "every message at the recovered endpoint");
            int sent = f.receiver.requests("/down").size();
            assertThat(sent).as("the failed requests, the probe and one success per message").isEqualTo(beforeProbe + 1 + MESSAGES);
            // one attempt row per request sent: holding a delivery back counted no attempt
            Receiver.await(Duration.ofSeconds(10), () -> attemptRows(f.failing) == sent, "an attempt row per request");
        }
    }

    /**
     * While a breaker holds an endpoint, its new deliveries are written straight to its park (not due, then moved
     * there): each later message's delivery row keeps the park's time it was written with (a move changes only the
     * queue row). Once the endpoint answers again, the release takes them with the rest, long before the park ends.
     */
    @Test
    void deliveries_published_while_an_endpoint_is_held_are_written_to_its_park_and_released_with_it() {
        try (var f = new DownAndUp("written-parked")) {
            for (int i = 0; i < MESSAGES; i++) f.publish("{\"eventType\":\"c.t\",\"payload\":{\"i\":" + i + "}}");
            // every delivery not sent is parked but for at most one, readied for the breaker's probe (five failures open
            // the breaker; at two in flight a sixth request may have gone out: six sent and a probe row left 33 of 34)
            Receiver.await(Duration.ofSeconds(10), () -> {
                int unsent = MESSAGES - f.receiver.requests("/down").size();
                return unsent >= MESSAGES - 6 && heldRows(f.failing, T0.plus(EndpointPark.PARK_FOR)) >= unsent - 1;
            }, "the failing endpoint's deliveries parked");

            // once the loop has taken the park in, a publish writes there (one message per look until it does; some of
            // the first may have been already)
            int[] published = {MESSAGES};
            Receiver.await(Duration.ofSeconds(10), () -> {
                f.publish("{\"eventType\":\"c.t\",\"payload\":{\"until\":" + published[0]++ + "}}");
                return writtenToPark(f.failing) > 0;
            }, "a delivery written to the park");
            int before = writtenToPark(f.failing);
            for (int i = 0; i < MESSAGES; i++) f.publish("{\"eventType\":\"c.t\",\"payload\":{\"later\":" + i + "}}");
            int total = published[0] + MESSAGES;
            Receiver.await(Duration.ofSeconds(10), () -> f.receiver.requests("/up").size() == total, "the healthy endpoint's messages");
            assertThat(writtenToPark(f.failing)).as("each later delivery of the held endpoint written to its park").isEqualTo(before + MESSAGES);

            // back: the probe succeeds, the breaker closes, and the park is released long before it would come due
            f.down.set(false);
            f.clock.advance(CircuitBreaker.FIRST_OPEN.plusSeconds(5)); // the open period, and the first failures' retry
            Receiver.await(Duration.ofSeconds(20), () -> f.acceptedAtDown.size() == total, "every message at the recovered endpoint");
            assertThat(f.clock.instant()).isBefore(T0.plus(EndpointPark.PARK_FOR));
        }
    }

    /**
     * A probe that goes out with no request (its endpoint disabled meanwhile, its content expunged) is no probe: the
     * breaker lets the next one go. It used to stay "out" for good, since only a request's answer ended it, and the
     * node then never sent to that endpoint again, re-enabled and healthy, until it restarted.
     */
    @Test
    void a_probe_cancelled_without_a_request_lets_the_next_probe_go_once_the_endpoint_is_enabled_again() {
        try (var f = new DownAndUp("probe-cancelled")) {
            for (int i = 0; i < MESSAGES; i++) f.publish("{\"eventType\":\"c.t\",\"payload\":{\"i\":" + i + "}}");
            Receiver.await(Duration.ofSeconds(10), () -> heldRows(f.failing, T0.plus(CircuitBreaker.FIRST_OPEN)) >= MESSAGES - 6,
                    "the breaker open, the failing endpoint's deliveries held");

            // disabled while held: the probe the open period's end lets out is cancelled without a request
            assertThat(f.herald.api.patch("/api/v1/app/" + f.app + "/endpoint/" + f.failing, "{\"disabled\":true}").status()).isEqualTo(200);
            int requestsBefore = f.receiver.requests("/down").size();
            f.clock.advance(CircuitBreaker.FIRST_OPEN);
            Receiver.await(Duration.ofSeconds(10), () -> cancelledDeliveries(f.failing) >= 1, "the probe cancelled, its endpoint disabled");

            // enabled again and healthy: a message published now arrives once the next probe goes out
            assertThat(f.herald.api.patch("/api/v1/app/" + f.app + "/endpoint/" + f.failing, "{\"disabled\":false}").status()).isEqualTo(200);
            f.down.set(false);
            f.publish("{\"eventType\":\"c.t\",\"payload\":{\"after\":\"enabled\"}}");
            // a minute at a time (past the open period, then the park), each acted on at once (a wake) and given three
            // seconds (a loaded host; the loop ends as soon as the message is in)
            for (int step = 0; step < 12 && f.acceptedAtDown.isEmpty(); step++) {
                f.clock.advance(Duration.ofMinutes(1));
                f.herald.herald.wakeDispatcher();
                long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (f.acceptedAtDown.isEmpty() && System.nanoTime() < until) pause(Duration.ofMillis(50));
            }
            assertThat(f.acceptedAtDown).as("a message at the enabled, healthy endpoint").isNotEmpty();
            assertThat(f.receiver.requests("/down").size()).isGreaterThan(requestsBefore);
        }
    }

    private static int cancelledDeliveries(String endpointId) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("select count(*) from delivery where endpoint_id = :ep and status = :s")
                .bind("ep", endpointId).bind("s", dev.herald.domain.DeliveryStatus.CANCELED).mapTo(Integer.class).one());
    }

    /** The endpoint's deliveries written due at or after the park's period (a move changes only the queue row). */
    private static int writtenToPark(String endpointId) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("""
                select count(*) from delivery where endpoint_id = :ep and next_attempt_at >= :parked
                """).bind("ep", endpointId).bind("parked", T0.plus(EndpointPark.PARK_FOR)).mapTo(Integer.class).one());
    }

    /**
     * Moving a failing endpoint's rows to its park runs beside the dispatcher's loop: while a park statement cannot
     * finish, the healthy endpoint's new deliveries (leased at publish, started by the loop) still go out. The park is
     * held up by a trigger that waits for an advisory lock this test holds; when the loop ran the park itself, none of
     * them arrived until it was let go.
     */
    @Test
    void a_park_that_takes_long_does_not_hold_up_the_other_endpoints_deliveries() throws Exception {
        long lockKey = 4_242_424_242L;
        try (var f = new DownAndUp("slow-park"); var lockHolder = TestDatabase.jdbi().open()) {
            lockHolder.createQuery("select pg_advisory_lock(:key)").bind("key", lockKey).mapTo(String.class).one();
            // the function's body is built with the test's constants: identifiers and numbers only
            TestDatabase.jdbi().useHandle(h -> h.execute("""
                    create function herald_test_slow_park() returns trigger language plpgsql as $$
                    begin perform pg_advisory_xact_lock_shared(%d); return new; end $$;
                    create trigger herald_test_slow_park before update on delivery_queue for each row
                    when (old.endpoint_id = '%s' and new.next_attempt_at >= old.next_attempt_at + interval '8 minutes')
                    execute function herald_test_slow_park();
                    """.formatted(lockKey, f.failing)));
            try {
                for (int i = 0; i < MESSAGES; i++) f.publish("{\"eventType\":\"c.t\",\"payload\":{\"i\":" + i + "}}");
                Receiver.await(Duration.ofSeconds(10), () -> f.receiver.requests("/up").size() == MESSAGES, "the first messages");
                Receiver.await(Duration.ofSeconds(10), () -> parksWaiting() == 1, "the breaker open and its park held up");

                for (int i = 0; i < MESSAGES; i++) f.publish("{\"eventType\":\"c.t\",\"payload\":{\"later\":" + i + "}}");
                Receiver.await(Duration.ofSeconds(10), () -> f.receiver.requests("/up").size() == 2 * MESSAGES,
                        "the healthy endpoint's later messages while the park waits");
                assertThat(parksWaiting()).as("the park still held up when they arrived").isEqualTo(1);
                assertThat(heldRows(f.failing, T0.plus(EndpointPark.PARK_FOR))).as("nothing parked yet").isZero();

                lockHolder.createQuery("select pg_advisory_unlock(:key)").bind("key", lockKey).mapTo(Boolean.class).one();
                Receiver.await(Duration.ofSeconds(10), () -> heldRows(f.failing, T0.plus(EndpointPark.PARK_FOR)) >= 2 * MESSAGES - 7,
                        "the failing endpoint's deliveries parked once let go");
                assertThat(f.receiver.requests("/up")).as("each healthy message once").hasSize(2 * MESSAGES);
            } finally {
                // let a park still waiting go first: dropping the trigger waits for it
                lockHolder.createQuery("select pg_advisory_unlock_all()").mapTo(String.class).one();
                TestDatabase.jdbi().useHandle(h -> h.execute("""
                        drop trigger herald_test_slow_park on delivery_queue;
                        drop function herald_test_slow_park();
                        """));
            }
        }
    }

    /** Statements waiting for the test's advisory lock (the held-up park). */
    private static int parksWaiting() {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("""
                select count(*) from pg_stat_activity where wait_event_type = 'Lock' and wait_event = 'advisory'
                """).mapTo(Integer.class).one());
    }

    /**
     * A node whose breakers open after five failed requests in a row (two requests in flight per endpoint), a receiver
     * whose "/down" answers 500 while {@link #down} is set and then 200 (noting each webhook-id it accepts), and an
     * application with an endpoint at "/down" and one at "/up" (always 200).
     */
    private static final class DownAndUp implements AutoCloseable {
        final MutableClock clock = new MutableClock(T0);
        final AtomicBoolean down = new AtomicBoolean(true);
        final Set<String> acceptedAtDown = ConcurrentHashMap.newKeySet();
        final Receiver receiver = new Receiver();
        final TestHerald herald;
        final String app;
        final String failing;

        DownAndUp(String appName) {
            var env = new HashMap<>(TestHerald.defaultEnv());
            env.put("HERALD_CIRCUIT_BREAKER_FAILURES", "5");
            env.put("HERALD_MAX_IN_FLIGHT_PER_ENDPOINT", "2");
            receiver.reply(r -> {
                if (!r.path().equals("/down")) return Receiver.Reply.status(200);
                if (down.get()) return Receiver.Reply.status(500);
                acceptedAtDown.add(r.header("webhook-id"));
                return Receiver.Reply.status(200);
            });
            herald = TestHerald.start(env, clock);
            app = app(herald.api, appName);
            failing = endpoint(herald.api, app, receiver.url("/down"));
            endpoint(herald.api, app, receiver.url("/up"));
        }

        void publish(String body) {
            DeliveryFixture.publish(herald.api, app, body);
        }

        @Override
        public void close() {
            herald.close();
            receiver.close();
        }
    }

    /** Pending deliveries of the endpoint never tried and due no earlier than {@code until}. */
    private static int heldRows(String endpointId, Instant until) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("""
                select count(*) from delivery_queue
                where endpoint_id = :ep and attempt_count = 0 and next_attempt_at >= :until
                """).bind("ep", endpointId).bind("until", until).mapTo(Integer.class).one());
    }

    /** The endpoint's pending deliveries due after the longest open period (parked), by id. */
    private static Map<Long, Instant> parkedRows(String endpointId) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("""
                select delivery_id, next_attempt_at from delivery_queue
                where endpoint_id = :ep and next_attempt_at > :after
                """).bind("ep", endpointId).bind("after", T0.plus(CircuitBreaker.MAX_OPEN.multipliedBy(2)))
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getObject(2, java.time.OffsetDateTime.class).toInstant()))
                .list().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    private static int attemptRows(String endpointId) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("select count(*) from attempt where endpoint_id = :ep")
                .bind("ep", endpointId).mapTo(Integer.class).one());
    }
}
