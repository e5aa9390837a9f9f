package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.cli.PollCliCommandAccess;
import dev.herald.client.model.ApplicationIn;
import dev.herald.client.model.EventTypeIn;
import dev.herald.client.model.MessageIn;
import dev.herald.client.model.MessageOut;
import dev.herald.client.model.PollerIn;
import dev.herald.testing.MutableClock;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Herald's Java client and {@code herald poll} reading a polling endpoint of a real node. */
@ExtendWith(TestDatabase.class)
class PollersEndToEndTest {
    static TestHerald herald;
    static HeraldClient admin;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
        admin = HeraldClient.builder(herald.baseUrl(), TestHerald.ADMIN_TOKEN).build();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private List<String> publish(String app, int n) {
        var ids = new ArrayList<String>();
        for (int i = 0; i < n; i++) ids.add(admin.messages().create(app, MessageIn.of("order.placed", Map.of("n", i))).id());
        return ids;
    }

    @Test
    void drain_hands_over_every_message_in_order_and_after_a_failure_reads_again_from_the_kept_iterator() {
        admin.eventTypes().create(EventTypeIn.of("order.placed", "An order"));
        String app = admin.applications().create(ApplicationIn.of("Polled")).id();
        var poller = admin.pollers().create(app, PollerIn.all().withFilterTypes(Set.of("order.placed")));
        assertThat(poller.pollPath()).isEqualTo("/api/v1/app/" + app + "/poller/" + poller.id());
        String key = admin.pollers().rotateKey(app, poller.id());
        var reader = HeraldClient.builder(herald.baseUrl(), key).build().pollers();

        var sent = publish(app, 300); // more than a page
        var seen = new ArrayList<String>();
        String kept = reader.drain(app, poller.id(), null, m -> seen.add(m.id()));
        assertThat(seen).containsExactlyElementsOf(sent);

        var more = publish(app, 5);
        var handled = new ArrayList<String>();
        assertThatThrownBy(() -> reader.drain(app, poller.id(), kept, m -> {
            if (handled.size() == 3) throw new IllegalStateException("the handler fails on the fourth");
            handled.add(m.id());
        })).hasMessageContaining("fourth");
        var again = new ArrayList<String>();
        String after = reader.drain(app, poller.id(), kept, m -> again.add(m.id()));
        assertThat(again).as("read again from the kept iterator: none skipped").containsExactlyElementsOf(more);
        assertThat(reader.poll(app, poller.id(), after, 10).data()).isEmpty();

        // the key reads its poller, nothing else
        assertThatThrownBy(() -> HeraldClient.builder(herald.baseUrl(), key).build().messages().list(app).toList())
                .isInstanceOf(HeraldAuthException.class);
    }

    @Test
    void a_consumer_keeps_its_place_and_seeks() {
        admin.eventTypes().create(EventTypeIn.of("order.placed", "An order"));
        String app = admin.applications().create(ApplicationIn.of("Consumed")).id();
        String poller = admin.pollers().create(app, PollerIn.all()).id();
        var sent = publish(app, 4);
        var first = admin.pollers().consumerPoll(app, poller, "ledger", null, 3);
        assertThat(first.data()).extracting(MessageOut::id).containsExactlyElementsOf(sent.subList(0, 3));
        var second = admin.pollers().consumerPoll(app, poller, "ledger", null, 3);
        assertThat(second.data()).extracting(MessageOut::id).containsExactly(sent.get(3));
        assertThat(second.done()).isTrue();
        admin.pollers().seek(app, poller, "ledger", first.data().get(0).timestamp().minusSeconds(3600));
        assertThat(admin.pollers().consumerPoll(app, poller, "ledger", null, 10).data()).hasSize(4);
        assertThat(admin.pollers().list(app).toList()).hasSize(1);
        admin.pollers().delete(app, poller);
        assertThatThrownBy(() -> admin.pollers().get(app, poller)).isInstanceOf(HeraldNotFoundException.class);
    }

    /**
     * {@code consume}: leases, hands over and commits page after page; a handler that throws leaves its page
     * uncommitted, and once the lease has run out (Herald's clock, moved by hand) it comes again.
     */
    @Test
    void consume_commits_what_the_handler_took_and_a_failed_page_comes_again_after_its_lease() {
        var clock = new MutableClock(java.time.Instant.parse("2026-12-05T12:00:00Z"));
        try (var timed = TestHerald.start(TestHerald.defaultEnv(), clock)) {
            var client = HeraldClient.builder(timed.baseUrl(), TestHerald.ADMIN_TOKEN).build();
            client.eventTypes().create(EventTypeIn.of("order.placed", "An order"));
            String app = client.applications().create(ApplicationIn.of("Leased")).id();
            String poller = client.pollers().create(app, PollerIn.all()).id();
            var sent = new ArrayList<String>();
            for (int i = 0; i < 300; i++) sent.add(client.messages().create(app, MessageIn.of("order.placed", Map.of("n", i))).id());
            var pollers = client.pollers();
            var seen = new ArrayList<String>();
            assertThat(pollers.consume(app, poller, "ledger", Duration.ofSeconds(30), m -> seen.add(m.id()))).isEqualTo(300);
            assertThat(seen).containsExactlyElementsOf(sent);

            var more = new ArrayList<String>();
            for (int i = 0; i < 5; i++) more.add(client.messages().create(app, MessageIn.of("order.placed", Map.of("m", i))).id());
            var handled = new ArrayList<String>();
            assertThatThrownBy(() -> pollers.consume(app, poller, "ledger", Duration.ofSeconds(30), m -> {
                if (handled.size() == 3) throw new IllegalStateException("the handler fails on the fourth");
                handled.add(m.id());
            })).hasMessageContaining("fourth");
            assertThatThrownBy(() -> pollers.consume(app, poller, "ledger", Duration.ofSeconds(30), m -> { }))
                    .as("the page is still leased").isInstanceOfSatisfying(HeraldConflictException.class,
                            e -> assertThat(e.code()).isEqualTo("lease_held"));
            clock.advance(Duration.ofSeconds(31));
            var again = new ArrayList<String>();
            assertThat(pollers.consume(app, poller, "ledger", Duration.ofSeconds(30), m -> again.add(m.id()))).isEqualTo(5);
            assertThat(again).as("the uncommitted page, whole").containsExactlyElementsOf(more);

            // herald poll --commit: prints and commits as the same kind of consumer
            String key = pollers.rotateKey(app, poller);
            String last = client.messages().create(app, MessageIn.of("order.placed", Map.of("last", true))).id();
            var printed = new ByteArrayOutputStream();
            String url = timed.baseUrl() + "/api/v1/app/" + app + "/poller/" + poller;
            assertThat(PollCliCommandAccess.run(new PrintStream(printed, true, StandardCharsets.UTF_8), url, "--key", key,
                    "--consumer", "ledger", "--commit")).isZero();
            var lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).hasSize(1);
            assertThat(HeraldJson.read(lines.getFirst()).path("id").asText()).isEqualTo(last);
            assertThat(HeraldJson.read(lines.getFirst()).path("offset").isNumber()).isTrue();
            assertThat(pollers.lease(app, poller, "ledger", 10, Duration.ofSeconds(5)).data()).as("committed by the command").isEmpty();
            assertThat(PollCliCommandAccess.run(new PrintStream(new ByteArrayOutputStream()), url, "--key", key, "--commit"))
                    .as("--commit without --consumer").isEqualTo(2);
        }
    }

    @Test
    void herald_poll_prints_each_message_as_a_line_of_json() throws Exception {
        admin.eventTypes().create(EventTypeIn.of("order.placed", "An order"));
        String app = admin.applications().create(ApplicationIn.of("Printed")).id();
        var poller = admin.pollers().create(app, PollerIn.all());
        String key = admin.pollers().rotateKey(app, poller.id());
        var sent = publish(app, 3);

        var printed = new ByteArrayOutputStream();
        int status = PollCliCommandAccess.run(new PrintStream(printed, true, StandardCharsets.UTF_8),
                herald.baseUrl() + poller.pollPath(), "--key", key);
        assertThat(status).isZero();
        var lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(3);
        for (int i = 0; i < 3; i++) {
            var message = HeraldJson.read(lines.get(i));
            assertThat(message.path("id").asText()).isEqualTo(sent.get(i));
            assertThat(message.path("payload").path("n").asInt()).isEqualTo(i);
        }
        assertThat(PollCliCommandAccess.run(new PrintStream(new ByteArrayOutputStream()), "http://127.0.0.1:1/not/a/poller",
                "--key", key)).isEqualTo(2);
        assertThat(PollCliCommandAccess.run(new PrintStream(new ByteArrayOutputStream()), herald.baseUrl() + poller.pollPath(),
                "--key", "pollsk_wrong")).isEqualTo(1);
    }
}
