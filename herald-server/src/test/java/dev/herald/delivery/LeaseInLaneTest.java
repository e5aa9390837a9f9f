package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.app;
import static dev.herald.delivery.DeliveryFixture.delivered;
import static dev.herald.delivery.DeliveryFixture.endpoint;
import static dev.herald.delivery.DeliveryFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.config.HeraldConfig;
import dev.herald.testing.MutableClock;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A delivery that waits in its endpoint's lane on one node (the endpoint's requests in flight fill it) past its lease is
 * claimed by another node when the lease ends and sent from there. The first node then lets it go unsent: it used to
 * send it as well, once the lane had room, so the endpoint got it twice (and more load while it was slow).
 */
@ExtendWith(TestDatabase.class)
class LeaseInLaneTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void a_delivery_whose_lease_ended_while_it_waited_in_its_lane_is_sent_once() throws Exception {
        var clock = new MutableClock(T0);
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_MAX_IN_FLIGHT_PER_ENDPOINT", "1");
        var letFirstGo = new CountDownLatch(1);
        try (var receiver = new Receiver(); var a = TestHerald.start(env, clock)) {
            // the second waits in node a's lane (one request at a time) behind the held first
            String second = secondBehindAHeldFirst(receiver, a, "lease-in-lane", letFirstGo);

            // its lease ends; node b, on the same database, claims it and sends it
            try (var b = TestHerald.start(env, clock)) {
                clock.advance(HeraldConfig.DEFAULT_DELIVERY_LEASE.plusSeconds(1));
                Receiver.await(Duration.ofSeconds(10), () -> sent(receiver, second) == 1, "the second sent by node b");
                letFirstGo.countDown();
                // node a's lane has room again: it lets the second go unsent
                Receiver.await(Duration.ofSeconds(10), () -> delivered(second), "the second's result written");
                Receiver.await(Duration.ofSeconds(10), () -> a.herald.metrics().outlivedLeaseCount() == 1,
                        "node a letting its copy go unsent");
                assertThat(sent(receiver, second)).as("the second message's requests").isEqualTo(1);
            }
        }
    }

    /**
     * Let go unsent before its lease ended, the delivery's claim is undone: its row put back with the attempt count it
     * had. It kept the count, so the first request made was recorded as attempt 2 (and a failure there would have
     * waited the schedule's third delay, or been the last of a short schedule).
     */
    @Test
    void a_delivery_let_go_unsent_keeps_its_attempts() throws Exception {
        var clock = new MutableClock(T0);
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_MAX_IN_FLIGHT_PER_ENDPOINT", "1");
        var letFirstGo = new CountDownLatch(1);
        try (var receiver = new Receiver(); var a = TestHerald.start(env, clock)) {
            String second = secondBehindAHeldFirst(receiver, a, "let-go", letFirstGo);

            // so near its lease's end that a request could outlast it: let go when the lane has room
            clock.advance(HeraldConfig.DEFAULT_DELIVERY_LEASE.minus(HeraldConfig.DEFAULT_REQUEST_TIMEOUT).plusSeconds(1));
            letFirstGo.countDown();
            Receiver.await(Duration.ofSeconds(10), () -> a.herald.metrics().outlivedLeaseCount() == 1, "the second let go");
            Receiver.await(Duration.ofSeconds(10), () -> claimsCounted(second) == 0, "its claim undone");

            clock.advance(HeraldConfig.DEFAULT_REQUEST_TIMEOUT); // past the lease's end: claimed again, and sent
            a.herald.wakeDispatcher();
            Receiver.await(Duration.ofSeconds(10), () -> delivered(second), "the second delivered");
            java.util.List<Integer> numbers = TestDatabase.jdbi().withHandle(h -> h.createQuery(
                    "select attempt_number from attempt where msg_id = :m").bind("m", second).mapTo(Integer.class).list());
            assertThat(numbers).containsExactly(1);
        }
    }

    /**
     * Publishes "first", whose request the receiver holds until {@code letFirstGo} (a later copy of it is answered at
     * once), then "second", which waits in node {@code a}'s lane behind it; returns the second's message id.
     */
    private static String secondBehindAHeldFirst(Receiver receiver, TestHerald a, String appName, CountDownLatch letFirstGo)
            throws InterruptedException {
        var firstHeld = new CountDownLatch(1);
        var holdOnce = new java.util.concurrent.atomic.AtomicBoolean(true);
        receiver.reply(r -> {
            if (r.body().contains("\"first\"") && holdOnce.getAndSet(false)) {
                firstHeld.countDown();
                try {
                    letFirstGo.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Receiver.Reply.status(200);
        });
        String app = app(a.api, appName);
        endpoint(a.api, app, receiver.url("/e"));
        publish(a.api, app, "{\"eventType\":\"l.t\",\"payload\":{\"n\":\"first\"}}");
        assertThat(firstHeld.await(10, TimeUnit.SECONDS)).as("the first request out, and held").isTrue();
        String second = publish(a.api, app, "{\"eventType\":\"l.t\",\"payload\":{\"n\":\"second\"}}");
        Receiver.await(Duration.ofSeconds(10), () -> leasedOut(second), "the second delivery taken by node a");
        return second;
    }

    private static int claimsCounted(String msg) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("select attempt_count from delivery_queue where msg_id = :m")
                .bind("m", msg).mapTo(Integer.class).findOne().orElse(-1));
    }

    private static long sent(Receiver receiver, String msg) {
        return receiver.requests("/e").stream().filter(r -> msg.equals(r.header("webhook-id"))).count();
    }

    /** Its queue row leased (due later than now) with one claim counted. */
    private static boolean leasedOut(String msg) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("""
                select count(*) from delivery_queue where msg_id = :m and attempt_count = 1 and next_attempt_at > :t0
                """).bind("m", msg).bind("t0", T0).mapTo(Integer.class).one()) == 1;
    }
}
