package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.svix.Svix;
import com.svix.api.MessagePollerConsumerPollOptions;
import com.svix.api.MessagePollerPollOptions;
import com.svix.exceptions.ApiException;
import com.svix.models.AppPortalAccessIn;
import com.svix.models.AppPortalCapability;
import com.svix.models.PollingEndpointConsumerSeekIn;
import com.svix.models.PollingEndpointMessageOut;
import com.svix.models.PollingEndpointOut;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Polling endpoints: made through Herald's polling-endpoint routes, read with the official SDK's message poller
 * (Svix's poller routes), with the iterator kept by the reader or by Herald per consumer.
 */
@ExtendWith(TestDatabase.class)
class PollingEndpointTest {
    static TestHerald herald;
    static Svix svix;
    String app;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
        svix = SvixSdk.client(herald);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void anApplication() {
        for (String type : List.of("invoice.paid", "invoice.voided", "user.created")) {
            herald.api.put("/api/v1/event-type/" + type, json("description", type));
        }
        app = herald.api.post("/api/v1/app", json("name", "Poller")).text("id");
    }

    private String poller(String body) {
        var created = herald.api.post("/api/v1/app/" + app + "/polling-endpoint", body);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        return created.text("id");
    }

    private String publish(String type, String payload, String... channels) {
        var body = "{\"eventType\":\"" + type + "\",\"payload\":" + payload
                + (channels.length == 0 ? "" : ",\"channels\":[\"" + String.join("\",\"", channels) + "\"]") + "}";
        var sent = herald.api.post("/api/v1/app/" + app + "/msg", body);
        assertThat(sent.status()).as(sent.raw()).isEqualTo(202);
        return sent.text("id");
    }

    private static List<String> ids(PollingEndpointOut out) {
        return out.getData().stream().map(PollingEndpointMessageOut::getId).toList();
    }

    private static MessagePollerPollOptions from(String iterator, long limit) {
        var options = new MessagePollerPollOptions();
        options.setIterator(iterator);
        options.setLimit(limit);
        return options;
    }

    @Test
    void a_poller_holds_the_messages_published_after_it_that_its_filters_take_in_order() throws Exception {
        String before = publish("invoice.paid", "{\"n\":0}");
        String sink = poller("{\"filterTypes\":[\"invoice.paid\",\"invoice.voided\"],\"description\":\"ledger\"}");
        var taken = new ArrayList<String>();
        for (int i = 1; i <= 5; i++) {
            taken.add(publish(i % 2 == 0 ? "invoice.voided" : "invoice.paid", "{\"n\":" + i + "}"));
            publish("user.created", "{\"n\":" + i + "}"); // not among its types
        }
        var poller = svix.getMessage().getPoller();

        var first = poller.poll(app, sink, from(null, 2));
        assertThat(ids(first)).containsExactlyElementsOf(taken.subList(0, 2)).doesNotContain(before);
        assertThat(first.getDone()).isFalse();
        assertThat(first.getData().get(0).getEventType()).isEqualTo("invoice.paid");
        assertThat(first.getData().get(0).getPayload().toString()).contains("n=1");
        var rest = poller.poll(app, sink, from(first.getIterator(), 10));
        assertThat(ids(rest)).containsExactlyElementsOf(taken.subList(2, 5));
        assertThat(rest.getDone()).isTrue();
        var empty = poller.poll(app, sink, from(rest.getIterator(), 10));
        assertThat(empty.getData()).isEmpty();
        assertThat(empty.getDone()).isTrue();
        String later = publish("invoice.paid", "{\"n\":6}");
        assertThat(ids(poller.poll(app, sink, from(empty.getIterator(), 10)))).containsExactly(later);

        // narrowed by the reader, and by its uid rather than its id
        herald.api.patch("/api/v1/app/" + app + "/polling-endpoint/" + sink, json("uid", "ledger-poller"));
        var options = from(null, 50);
        options.setEventType("invoice.voided");
        assertThat(ids(poller.poll(app, "ledger-poller", options))).containsExactly(taken.get(1), taken.get(3));
    }

    @Test
    void channels_narrow_a_poller_as_they_narrow_an_endpoint() throws Exception {
        String sink = poller("{\"channels\":[\"eu\"]}");
        String eu = publish("user.created", "{}", "eu", "us");
        publish("user.created", "{}", "us");
        publish("user.created", "{}");
        assertThat(ids(svix.getMessage().getPoller().poll(app, sink))).containsExactly(eu);
    }

    @Test
    void a_consumer_reads_on_from_where_it_stopped_and_seeks() throws Exception {
        String sink = poller("{}");
        var sent = new ArrayList<String>();
        for (int i = 0; i < 5; i++) sent.add(publish("user.created", "{\"n\":" + i + "}"));
        var poller = svix.getMessage().getPoller();
        var three = new MessagePollerConsumerPollOptions();
        three.setLimit(3L);
        assertThat(ids(poller.consumerPoll(app, sink, "worker-1", three))).containsExactlyElementsOf(sent.subList(0, 3));
        assertThat(ids(poller.consumerPoll(app, sink, "worker-1", three))).containsExactlyElementsOf(sent.subList(3, 5));
        assertThat(poller.consumerPoll(app, sink, "worker-1", three).getData()).isEmpty();
        // another consumer has its own place
        assertThat(ids(poller.consumerPoll(app, sink, "worker-2"))).containsExactlyElementsOf(sent);

        Instant third = Instant.parse(herald.api.get("/api/v1/app/" + app + "/msg/" + sent.get(2)).text("timestamp"));
        var seek = poller.consumerSeek(app, sink, "worker-1",
                new PollingEndpointConsumerSeekIn().after(OffsetDateTime.ofInstant(third, ZoneOffset.UTC)));
        assertThat(seek.getIterator()).isNotBlank();
        assertThat(ids(poller.consumerPoll(app, sink, "worker-1"))).containsExactlyElementsOf(sent.subList(3, 5));
        // the reader's own iterator overrides the kept place
        var again = new MessagePollerConsumerPollOptions();
        again.setIterator(seek.getIterator());
        assertThat(ids(poller.consumerPoll(app, sink, "worker-1", again))).containsExactlyElementsOf(sent.subList(3, 5));
    }

    /**
     * The order that makes polling safe: a message whose transaction is still open when a reader passes must not be
     * passed over once it commits. Here a publish is held open (as a slow one would be) while another commits.
     */
    @Test
    void a_message_committed_late_is_not_passed_over_by_a_reader() throws Exception {
        String sink = poller("{}");
        var poller = svix.getMessage().getPoller();
        String held = "msg_" + "0".repeat(27); // the smallest id there is: taken before every other
        try (Connection slow = DriverManager.getConnection(TestDatabase.jdbcUrl())) {
            slow.setAutoCommit(false);
            try (var st = slow.createStatement()) {
                st.execute("insert into message (id, app_id, event_type, payload, created_at) values ('" + held + "', '" + app
                        + "', 'user.created', '{\"held\":true}', now())");
                st.execute("insert into poll_entry (poller_id, msg_id, created_at) values ('" + sink + "', '" + held + "', now())");
            }
            String committed = publish("user.created", "{\"after\":true}");
            var whileHeld = poller.poll(app, sink);
            assertThat(whileHeld.getData()).as("nothing past an open transaction").isEmpty();
            slow.commit();
            var after = poller.poll(app, sink, from(whileHeld.getIterator(), 10));
            assertThat(ids(after)).containsExactly(held, committed);
        }
    }

    @Test
    void bad_input_is_a_clear_4xx_and_a_deleted_poller_takes_its_entries_with_it() throws Exception {
        String sink = poller("{}");
        publish("user.created", "{}");
        assertThat(herald.api.get("/api/v1/app/" + app + "/poller/" + sink + "?iterator=%25%25").status()).isEqualTo(422);
        assertThat(herald.api.get("/api/v1/app/" + app + "/poller/" + sink + "?limit=0").status()).isEqualTo(422);
        assertThat(herald.api.get("/api/v1/app/" + app + "/poller/" + sink + "/consumer/bad%20name").status()).isEqualTo(422);
        assertThat(herald.api.post("/api/v1/app/" + app + "/poller/" + sink + "/consumer/c/seek", "{}").status()).isEqualTo(422);
        assertThat(herald.api.get("/api/v1/app/" + app + "/poller/poll_missing").status()).isEqualTo(404);
        var unknownType = herald.api.post("/api/v1/app/" + app + "/polling-endpoint", "{\"filterTypes\":[\"no.such\"]}");
        assertThat(unknownType.status()).isEqualTo(422);
        assertThat(unknownType.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"filterTypes\"]");
        poller("{\"uid\":\"taken\"}");
        assertThat(herald.api.post("/api/v1/app/" + app + "/polling-endpoint", json("uid", "taken")).status()).isEqualTo(409);
        // at most ten an application (this one has two): the eleventh is refused
        for (int i = 0; i < 8; i++) poller("{}");
        var eleventh = herald.api.post("/api/v1/app/" + app + "/polling-endpoint", "{}");
        assertThat(eleventh.status()).isEqualTo(409);
        assertThat(eleventh.text("code")).isEqualTo("limit_reached");
        // another application's poller is not found from here
        String other = herald.api.post("/api/v1/app", json("name", "Other")).text("id");
        assertThat(herald.api.get("/api/v1/app/" + other + "/poller/" + sink).status()).isEqualTo(404);

        assertThat(entries(sink)).isEqualTo(1);
        assertThat(herald.api.delete("/api/v1/app/" + app + "/polling-endpoint/" + sink).status()).isEqualTo(204);
        herald.herald.runRetention(); // the poller's entries go with the purge of deletes
        assertThat(entries(sink)).isZero();
        assertThatThrownBy(() -> svix.getMessage().getPoller().poll(app, sink))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    private static long entries(String sink) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("select count(*) from poll_entry where poller_id = :p")
                .bind("p", sink).mapTo(Long.class).one());
    }

    @Test
    void an_application_token_reads_its_pollers_and_a_view_only_one_may_not_make_them_nor_move_a_consumer() throws Exception {
        String sink = poller("{}");
        String sent = publish("user.created", "{}");
        var in = new AppPortalAccessIn().capabilities(Set.of(AppPortalCapability.VIEW_BASE));
        String token = svix.getAuthentication().appPortalAccess(app, in).getToken();
        var viewer = SvixSdk.client(herald, token);
        assertThat(ids(viewer.getMessage().getPoller().poll(app, sink))).containsExactly(sent);
        // a named consumer's read moves its place, a lease holds it, a commit or seek moves it: not a viewer's to do
        // (it could make the application's own consumer skip messages, or lock it out for the lease)
        var viewerApi = herald.api.withToken(token);
        String consumer = "/api/v1/app/" + app + "/poller/" + sink + "/consumer/worker";
        String leased = "/api/v1/app/" + app + "/polling-endpoint/" + sink + "/consumer/worker";
        for (var refused : List.of(viewerApi.get(consumer), viewerApi.post(consumer + "/seek", "{\"after\":\"2026-01-01T00:00:00Z\"}"),
                viewerApi.get(leased + "?lease_duration_ms=3600000"), viewerApi.post(leased + "/commit", "{\"offset\":1}"))) {
            assertThat(refused.status()).as(refused.raw()).isEqualTo(403);
        }
        assertThat(ids(svix.getMessage().getPoller().consumerPoll(app, sink, "worker"))).containsExactly(sent);
        assertThat(herald.api.withToken(token).post("/api/v1/app/" + app + "/polling-endpoint", "{}").status()).isEqualTo(403);
        var list = herald.api.withToken(token).get("/api/v1/app/" + app + "/polling-endpoint").body().path("data");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("pollPath").asText()).isEqualTo("/api/v1/app/" + app + "/poller/" + sink);
    }

    @Test
    void a_pollers_key_reads_that_poller_only_and_ends_when_rotated() throws Exception {
        String sink = poller("{}");
        String otherSink = poller("{}");
        String sent = publish("user.created", "{}");
        var rotated = herald.api.post("/api/v1/app/" + app + "/polling-endpoint/" + sink + "/key/rotate", "");
        assertThat(rotated.status()).isEqualTo(200);
        String key = rotated.text("key");
        assertThat(key).startsWith("pollsk_");
        var reader = SvixSdk.client(herald, key);
        assertThat(ids(reader.getMessage().getPoller().poll(app, sink))).containsExactly(sent);
        assertThat(ids(reader.getMessage().getPoller().consumerPoll(app, sink, "mine"))).containsExactly(sent);
        var keyClient = herald.api.withToken(key);
        assertThat(keyClient.get("/api/v1/app/" + app + "/poller/" + otherSink).status()).as("another poller").isEqualTo(404);
        for (var refused : List.of(keyClient.get("/api/v1/app/" + app + "/msg"), keyClient.get("/api/v1/app/" + app + "/endpoint"),
                keyClient.get("/api/v1/app/" + app + "/polling-endpoint"), keyClient.post("/api/v1/auth/logout", ""))) {
            assertThat(refused.status()).as(refused.raw()).isEqualTo(403);
            assertThat(refused.text("detail")).isEqualTo("This key reads one polling endpoint and nothing else");
        }
        // expire-all ends portal tokens, not a poller's key
        assertThat(herald.api.post("/api/v1/auth/app/" + app + "/expire-all", "{}").status()).isEqualTo(204);
        assertThat(keyClient.get("/api/v1/app/" + app + "/poller/" + sink).status()).isEqualTo(200);

        String second = herald.api.post("/api/v1/app/" + app + "/polling-endpoint/" + sink + "/key/rotate", "").text("key");
        assertThat(keyClient.get("/api/v1/app/" + app + "/poller/" + sink).status()).as("the rotated key").isEqualTo(401);
        assertThat(herald.api.withToken(second).get("/api/v1/app/" + app + "/poller/" + sink).status()).isEqualTo(200);
        assertThat(herald.api.delete("/api/v1/app/" + app + "/polling-endpoint/" + sink).status()).isEqualTo(204);
        assertThat(herald.api.withToken(second).get("/api/v1/app/" + app + "/poller/" + sink).status())
                .as("the poller's deletion deletes its key").isEqualTo(401);
    }

    /**
     * Seek and {@code after} read by creation time, while entries are in commit order: a message created after the time
     * but committed before one created just before it must still be read from that time.
     */
    @Test
    void after_a_time_includes_a_message_created_after_it_that_committed_before_an_older_one() throws Exception {
        String sink = poller("{}");
        Instant t = Instant.now().minusSeconds(600);
        String later = "msg_" + "1".repeat(27);
        String earlier = "msg_" + "2".repeat(27);
        String early = "msg_" + "3".repeat(27);
        // committed in this order: one created well before t, one created after t, then one created just before t
        for (var m : List.of(java.util.Map.entry(early, t.minusSeconds(300)), java.util.Map.entry(later, t.plusSeconds(2)),
                java.util.Map.entry(earlier, t.minusSeconds(2)))) {
            TestDatabase.jdbi().useTransaction(h -> {
                h.createUpdate("insert into message (id, app_id, event_type, payload, created_at) values (:id, :app, 'user.created', '{}', :at)")
                        .bind("id", m.getKey()).bind("app", app).bind("at", m.getValue()).execute();
                h.createUpdate("insert into poll_entry (poller_id, msg_id, created_at) values (:p, :id, :at)")
                        .bind("p", sink).bind("id", m.getKey()).bind("at", m.getValue()).execute();
            });
        }
        var options = new MessagePollerPollOptions();
        options.setAfter(OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        var fromT = ids(svix.getMessage().getPoller().poll(app, sink, options));
        assertThat(fromT).as("from t in reading order: the later one, and the one that committed after it")
                .containsExactly(later, earlier).doesNotContain(early);

        var seek = svix.getMessage().getPoller().consumerSeek(app, sink, "c",
                new PollingEndpointConsumerSeekIn().after(OffsetDateTime.ofInstant(t, ZoneOffset.UTC)));
        assertThat(ids(svix.getMessage().getPoller().consumerPoll(app, sink, "c"))).containsExactly(later, earlier);
        assertThat(seek.getIterator()).isNotBlank();
        // after the newest: nothing until something new comes
        options.setAfter(OffsetDateTime.ofInstant(t.plusSeconds(60), ZoneOffset.UTC));
        assertThat(svix.getMessage().getPoller().poll(app, sink, options).getData()).isEmpty();
    }
}
