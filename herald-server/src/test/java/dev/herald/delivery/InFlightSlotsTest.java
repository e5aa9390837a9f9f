package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.app;
import static dev.herald.delivery.DeliveryFixture.delivered;
import static dev.herald.delivery.DeliveryFixture.endpoint;
import static dev.herald.delivery.DeliveryFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.MutableClock;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HERALD_MAX_IN_FLIGHT: a node's slots for requests in flight are each given back once. A delivery whose result could
 * not be written within its lease (the database slow or away that long) is claimed again by its own node while the
 * first result still waits: the node then holds it twice, and used to give back one slot for the two, so that a few
 * such rounds left it no slot and it never delivered again.
 */
@ExtendWith(TestDatabase.class)
class InFlightSlotsTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void a_delivery_claimed_again_while_its_first_result_waits_gives_back_both_slots() throws Exception {
        var clock = new MutableClock(T0);
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_MAX_IN_FLIGHT", "2");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, clock)) {
            String app = app(herald.api, "slots");
            endpoint(herald.api, app, receiver.url("/r"));
            for (int round = 1; round <= 2; round++) {
                int before = receiver.requests("/r").size();
                String msg;
                // results cannot be written (the attempt table cannot grow: a full disk's error, which the recorder
                // waits out and tries again); claims and publishes go on
                TestDatabase.jdbi().useHandle(h -> h.execute("""
                        create function herald_test_no_room() returns trigger language plpgsql as $$
                        begin raise exception 'could not extend file (test)' using errcode = '53100'; end $$;
                        create trigger herald_test_no_room before insert on attempt for each row execute function herald_test_no_room();
                        """));
                try {
                    msg = publish(herald.api, app, "{\"eventType\":\"s.t\",\"payload\":{\"round\":" + round + "}}");
                    Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/r").size() == before + 1, "the first send");
                    clock.advance(dev.herald.config.HeraldConfig.DEFAULT_DELIVERY_LEASE.plusSeconds(1)); // its lease runs out, its result unwritten
                    Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/r").size() == before + 2,
                            "the same delivery sent again by its node");
                    assertThat(receiver.requests("/r").get(before).header("webhook-id")).isEqualTo(msg);
                    assertThat(receiver.requests("/r").get(before + 1).header("webhook-id")).isEqualTo(msg);
                } finally {
                    TestDatabase.jdbi().useHandle(h -> h.execute("""
                            drop trigger herald_test_no_room on attempt;
                            drop function herald_test_no_room();
                            """));
                }
                String sent = msg;
                Receiver.await(Duration.ofSeconds(10), () -> delivered(sent), "its result written once the table could grow again");
            }
            // two rounds held both slots twice each: a message now still goes out
            String last = publish(herald.api, app, "{\"eventType\":\"s.t\",\"payload\":{\"after\":true}}");
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/r").stream().anyMatch(r -> r.header("webhook-id").equals(last)),
                    "a message after the rounds, with every slot given back");
        }
    }

    /**
     * One message to six endpoints on a node with two slots: the publish leases all six, two start, four wait in the
     * node's inbox. Each result freed a slot, but the loop, gone to its idle wait after starting the two, was only
     * woken for claims: the four waited for the next poll (an hour here).
     */
    @Test
    void deliveries_leased_beyond_the_free_slots_start_as_results_free_them() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_MAX_IN_FLIGHT", "2");
        env.put("HERALD_POLL_INTERVAL", "1h");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, java.time.Clock.systemUTC())) {
            String app = app(herald.api, "slots");
            for (int i = 0; i < 6; i++) endpoint(herald.api, app, receiver.url("/e" + i));
            publish(herald.api, app, "{\"eventType\":\"s.t\",\"payload\":{}}");
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests().size() == 6, "all six deliveries");
        }
    }
}
