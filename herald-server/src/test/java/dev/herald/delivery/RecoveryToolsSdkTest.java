package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.svix.Svix;
import com.svix.api.BackgroundTaskListOptions;
import com.svix.api.MessageAttemptListAttemptedMessagesOptions;
import com.svix.exceptions.ApiException;
import com.svix.models.ApplicationIn;
import com.svix.models.BackgroundTaskStatus;
import com.svix.models.BulkReplayIn;
import com.svix.models.BackgroundTaskType;
import com.svix.models.EndpointIn;
import com.svix.models.MessageAttemptTriggerType;
import com.svix.models.MessageIn;
import com.svix.models.MessageOut;
import com.svix.models.MessagePrecheckIn;
import com.svix.models.MessageStatus;
import com.svix.models.MessageStatusText;
import com.svix.models.ReplayIn;
import com.svix.models.StatusCodeClass;
import dev.herald.testing.ApiClient;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Svix's recovery and privacy tools driven by the official Java SDK: replay-missing, bulk replay, expunging content,
 * precheck, and the background tasks they answer with.
 */
@ExtendWith(TestDatabase.class)
class RecoveryToolsSdkTest {
    static TestHerald herald;
    static Svix svix;
    Receiver receiver;

    @BeforeAll
    static void start() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETRY_SCHEDULE", "0");
        herald = TestHerald.start(env, Clock.systemUTC());
        svix = SvixSdk.client(herald);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void receiver() {
        receiver = new Receiver();
    }

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    /** A task's {@code data}, as the SDK reads it (a JSON object becomes a map). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> data(Object taskData) {
        return (Map<String, Object>) taskData;
    }

    private Set<String> idsReceivedAt(String path) {
        return receiver.messageIds(path);
    }

    /** Endpoints may filter only on event types in the catalog. */
    private static void eventTypes(String... names) {
        for (String name : names) {
            int status = herald.api.post("/api/v1/event-type", "{\"name\":\"" + name + "\",\"description\":\"test\"}").status();
            assertThat(status).isIn(201, 409);
        }
    }

    private MessageOut publish(String app, String eventType) throws Exception {
        return svix.getMessage().create(app, new MessageIn().eventType(eventType).payload("{\"type\":\"" + eventType + "\"}"));
    }

    @Test
    void replay_missing_sends_each_message_the_endpoint_never_had_and_that_its_filters_accept_once() throws Exception {
        eventTypes("invoice.paid", "user.created");
        String app = svix.getApplication().create(new ApplicationIn().name("replay")).getId();
        svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/early"))));
        var paid = publish(app, "invoice.paid");
        var created = publish(app, "user.created");
        Receiver.await(WAIT, () -> receiver.requests("/early").size() == 2, "the first endpoint's deliveries");

        // created after the first two messages: it never had them, and it takes invoice.paid only
        String late = svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/late")))
                .filterTypes(Set.of("invoice.paid"))).getId();
        var paidAgain = publish(app, "invoice.paid");
        Receiver.await(WAIT, () -> receiver.requests("/late").size() == 1, "the late endpoint's own delivery");

        var replay = svix.getEndpoint().replayMissing(app, late, new ReplayIn().since(OffsetDateTime.now().minusHours(1)));
        assertThat(replay.getTask()).isEqualTo(BackgroundTaskType.ENDPOINT_REPLAY);
        assertThat(replay.getStatus()).isEqualTo(BackgroundTaskStatus.FINISHED);
        assertThat(replay.getId()).startsWith("qtask_");
        Receiver.await(WAIT, () -> SvixSdk.call(() -> svix.getEndpoint().getStats(app, late).getSuccess()) == 2, "the replayed delivery");
        assertThat(idsReceivedAt("/late")).containsExactlyInAnyOrder(paid.getId(), paidAgain.getId());
        assertThat(svix.getMessageAttempt().listByMsg(app, paid.getId()).getData())
                .filteredOn(a -> a.getEndpointId().equals(late))
                .singleElement().extracting(a -> a.getTriggerType()).isEqualTo(MessageAttemptTriggerType.MANUAL);

        var task = svix.getBackgroundTask().get(replay.getId());
        assertThat(task.getTask()).isEqualTo(BackgroundTaskType.ENDPOINT_REPLAY);
        assertThat(task.getStatus()).isEqualTo(BackgroundTaskStatus.FINISHED);
        assertThat(data(task.getData())).containsEntry("messagesQueued", 1).containsEntry("endpointId", late);

        // again: nothing is missing any more, so nothing is sent twice
        var again = svix.getEndpoint().replayMissing(app, late, new ReplayIn().since(OffsetDateTime.now().minusHours(1)));
        assertThat(data(svix.getBackgroundTask().get(again.getId()).getData())).containsEntry("messagesQueued", 0);

        // until bounds the window: a new endpoint with no filter gets only what came before user.created
        String windowed = svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/windowed")))).getId();
        var bounded = svix.getEndpoint().replayMissing(app, windowed, new ReplayIn()
                .since(OffsetDateTime.now().minusHours(1)).until(created.getTimestamp()));
        assertThat(data(svix.getBackgroundTask().get(bounded.getId()).getData())).containsEntry("messagesQueued", 1);
        Receiver.await(WAIT, () -> receiver.requests("/windowed").size() == 1, "the windowed replay");
        assertThat(idsReceivedAt("/windowed")).containsExactly(paid.getId());

        var options = new BackgroundTaskListOptions();
        options.setTask(BackgroundTaskType.ENDPOINT_REPLAY);
        assertThat(svix.getBackgroundTask().list(options).getData()).extracting(t -> t.getId())
                .contains(replay.getId(), again.getId(), bounded.getId());
        options.setTask(BackgroundTaskType.ENDPOINT_RECOVER);
        assertThat(svix.getBackgroundTask().list(options).getData()).extracting(t -> t.getId())
                .doesNotContain(replay.getId());
    }

    @Test
    void replays_of_one_endpoint_at_once_queue_each_missing_message_once() throws Exception {
        String app = svix.getApplication().create(new ApplicationIn().name("replay-race")).getId();
        int messages = 40;
        for (int i = 0; i < messages; i++) publish(app, "race.event");
        String ep = svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/race")))).getId();

        String path = "/api/v1/app/" + app + "/endpoint/" + ep + "/replay-missing";
        String body = "{\"since\":\"" + OffsetDateTime.now().minusHours(1) + "\"}";
        var start = new java.util.concurrent.CountDownLatch(1);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            var replies = new java.util.ArrayList<java.util.concurrent.Future<String>>();
            for (int i = 0; i < 4; i++) {
                replies.add(pool.submit(() -> {
                    start.await();
                    return herald.api.post(path, body).text("id");
                }));
            }
            start.countDown();
            int queued = 0;
            for (var reply : replies) {
                queued += ((Number) data(svix.getBackgroundTask().get(reply.get()).getData()).get("messagesQueued")).intValue();
            }
            assertThat(queued).isEqualTo(messages);
        }
        Receiver.await(WAIT, () -> receiver.requests("/race").size() >= messages, "the replayed deliveries");
        assertThat(receiver.requests("/race")).hasSize(messages);
        assertThat(idsReceivedAt("/race")).hasSize(messages);
    }

    @Test
    void bulk_replay_sends_again_what_the_endpoint_had_narrowed_by_status_code_class_type_channel_and_tag() throws Exception {
        eventTypes("bulk.x", "bulk.y");
        String app = svix.getApplication().create(new ApplicationIn().name("bulk")).getId();
        receiver.reply(r -> r.body().contains("\"fail\":true") ? Receiver.Reply.status(500) : Receiver.Reply.status(200));
        String ep = svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/bulk")))).getId();
        var ok = svix.getMessage().create(app, new MessageIn().eventType("bulk.x").payload("{\"fail\":false}")
                .channels(Set.of("eu")).tags(Set.of("vip")));
        var failed = svix.getMessage().create(app, new MessageIn().eventType("bulk.x").payload("{\"fail\":true}"));
        var other = svix.getMessage().create(app, new MessageIn().eventType("bulk.y").payload("{\"fail\":false}"));
        Receiver.await(WAIT, () -> SvixSdk.call(() -> svix.getEndpoint().getStats(app, ep).getSuccess()) == 2
                && SvixSdk.call(() -> svix.getEndpoint().getStats(app, ep).getFail()) >= 1, "the first deliveries");
        String late = svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/late")))).getId();

        var since = OffsetDateTime.now().minusHours(1);
        assertThat(bulkReplayed(app, ep, new BulkReplayIn().since(since).status(MessageStatus.FAIL))).isEqualTo(1);
        assertThat(bulkReplayed(app, ep, new BulkReplayIn().since(since).statusCodeClass(StatusCodeClass.CODE5XX))).isEqualTo(1);
        assertThat(bulkReplayed(app, ep, new BulkReplayIn().since(since).eventTypes(Set.of("bulk.y")))).isEqualTo(1);
        assertThat(bulkReplayed(app, ep, new BulkReplayIn().since(since).statusCodeClass(StatusCodeClass.CODE2XX)
                .channel("eu").tag("vip"))).isEqualTo(1);
        assertThat(bulkReplayed(app, ep, new BulkReplayIn().since(since).until(failed.getTimestamp()))).isEqualTo(1);
        assertThat(bulkReplayed(app, ep, new BulkReplayIn().since(since))).isEqualTo(3);
        assertThat(bulkReplayed(app, late, new BulkReplayIn().since(since))).isZero(); // it never had any

        // the first message: its first delivery, the 2xx/channel/tag replay, the replay until the second, the whole one;
        // bulk.y: its first delivery, the event-type replay and the whole replay (each message's replays arrive in their
        // own time: waiting for the first message's alone made this count race them)
        Receiver.await(WAIT, () -> received("/bulk", ok.getId()) >= 4 && received("/bulk", other.getId()) >= 3,
                "the replays of the first and the third message");
        assertThat(received("/bulk", ok.getId())).as("the first message").isEqualTo(4);
        assertThat(received("/bulk", other.getId()))
                .as("bulk.y: its first delivery, the event-type replay and the whole replay").isEqualTo(3);

        String path = "/api/v1/app/" + app + "/endpoint/" + ep + "/bulk-replay";
        var badClass = herald.api.post(path, "{\"since\":\"2026-01-01T00:00:00Z\",\"statusCodeClass\":150}");
        assertThat(badClass.status()).isEqualTo(422);
        assertThat(badClass.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"statusCodeClass\"]");
        assertThat(herald.api.post(path, "{\"since\":\"2026-01-01T00:00:00Z\",\"status\":9}").status()).isEqualTo(422);
        assertThat(herald.api.post(path, "{\"status\":0}").status()).isEqualTo(422);
    }

    private long received(String path, String messageId) {
        return receiver.requests(path).stream().filter(r -> r.header("webhook-id").equals(messageId)).count();
    }

    private static int bulkReplayed(String app, String ep, BulkReplayIn in) throws Exception {
        var task = svix.getEndpoint().bulkReplay(app, ep, in);
        assertThat(task.getTask()).isEqualTo(BackgroundTaskType.ENDPOINT_BULK_REPLAY);
        return ((Number) data(svix.getBackgroundTask().get(task.getId()).getData()).get("messagesQueued")).intValue();
    }

    @Test
    void replay_missing_refuses_a_request_without_since() {
        String app = herald.api.post("/api/v1/app", "{\"name\":\"replay-bad\"}").text("id");
        String ep = herald.api.post("/api/v1/app/" + app + "/endpoint", "{\"url\":\"" + receiver.url("/x") + "\"}").text("id");
        var missing = herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/replay-missing", "{}");
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"since\"]");
        var notTime = herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/replay-missing", "{\"since\":\"yesterday\"}");
        assertThat(notTime.status()).isEqualTo(422);
        for (String route : new String[] {"/replay-missing", "/recover", "/bulk-replay"}) {
            var nullSince = herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + route, "{\"since\":null}");
            assertThat(nullSince.status()).as(route).isEqualTo(422);
            assertThat(nullSince.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"since\"]");
        }
        assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint/ep_nope/replay-missing",
                "{\"since\":\"2026-01-01T00:00:00Z\"}").status()).isEqualTo(404);
    }

    @Test
    void expunged_content_reads_as_expired_and_is_never_sent() throws Exception {
        String app = svix.getApplication().create(new ApplicationIn().name("expunge")).getId();
        String ep = svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/e")))).getId();
        // paused: the message's delivery waits in the queue while its content is expunged
        assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/pause", "").status()).isEqualTo(204);
        var secret = publish(app, "card.viewed");
        svix.getMessage().expungeContent(app, secret.getId());
        assertThat(svix.getMessage().get(app, secret.getId()).getPayload()).isEqualTo(Map.of("expired", true));
        assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/resume", "").status()).isEqualTo(204);
        Receiver.await(WAIT, () -> SvixSdk.call(() -> svix.getEndpoint().getStats(app, ep).getCanceled()) == 1, "the delivery cancelled");
        assertThat(receiver.requests("/e")).isEmpty();

        // as Svix: the cancelled delivery reads as canceled only to a caller asking for expanded statuses (the SDKs ask
        // unless told not to); to others, as success
        var shownByDefault = svix.getMessageAttempt().listAttemptedMessages(app, ep).getData().get(0);
        assertThat(shownByDefault.getStatus()).isEqualTo(MessageStatus.CANCELED);
        assertThat(shownByDefault.getStatusText()).isEqualTo(MessageStatusText.CANCELED);
        var notExpanded = new MessageAttemptListAttemptedMessagesOptions();
        notExpanded.setExpandedStatuses(false);
        var shownPlain = svix.getMessageAttempt().listAttemptedMessages(app, ep, notExpanded).getData().get(0);
        assertThat(shownPlain.getStatus()).isEqualTo(MessageStatus.SUCCESS);
        assertThat(shownPlain.getStatusText()).isEqualTo(MessageStatusText.SUCCESS);
        String destinations = "/api/v1/app/" + app + "/msg/" + secret.getId() + "/endpoint";
        assertThat(herald.api.get(destinations).body().path("data").get(0).path("status").asInt()).isEqualTo(0);
        var destinationsExpanded = herald.api.get(destinations + "?expanded_statuses=true").body().path("data").get(0);
        assertThat(destinationsExpanded.path("status").asInt()).isEqualTo(4);
        assertThat(destinationsExpanded.path("statusText").asText()).isEqualTo("canceled");

        assertThatThrownBy(() -> svix.getMessage().expungeContent(app, "msg_nope"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void an_attempts_response_can_be_expunged() throws Exception {
        String app = svix.getApplication().create(new ApplicationIn().name("expunge-attempt")).getId();
        svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/answer"))));
        var message = publish(app, "card.viewed");
        Receiver.await(WAIT, () -> SvixSdk.call(() -> svix.getMessageAttempt().listByMsg(app, message.getId()).getData().size()) == 1,
                "the attempt");
        var attempt = svix.getMessageAttempt().listByMsg(app, message.getId()).getData().get(0);
        assertThat(attempt.getResponse()).isEqualTo("ok");
        svix.getMessageAttempt().expungeContent(app, message.getId(), attempt.getId());
        assertThat(svix.getMessageAttempt().get(app, message.getId(), attempt.getId()).getResponse()).isEqualTo("EXPUNGED");
        assertThatThrownBy(() -> svix.getMessageAttempt().expungeContent(app, message.getId(), "atmpt_nope"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void expunge_all_contents_blanks_one_application_and_leaves_the_others() throws Exception {
        String app = svix.getApplication().create(new ApplicationIn().name("purge")).getId();
        String other = svix.getApplication().create(new ApplicationIn().name("kept")).getId();
        var first = publish(app, "a.b");
        var second = publish(app, "a.b");
        var kept = publish(other, "a.b");

        // the SDK's expungeAllContents() is a POST without a body, which its HTTP client refuses to send (as resend)
        var purge = herald.api.post("/api/v1/app/" + app + "/msg/expunge-all-contents", null);
        assertThat(purge.status()).isEqualTo(202);
        assertThat(purge.text("task")).isEqualTo("application.purge_content");
        assertThat(purge.text("status")).isEqualTo("finished");
        var task = svix.getBackgroundTask().get(purge.text("id"));
        assertThat(task.getTask()).isEqualTo(BackgroundTaskType.APPLICATION_PURGE_CONTENT);
        assertThat(data(task.getData())).containsEntry("messagesExpunged", 2);

        assertThat(svix.getMessage().get(app, first.getId()).getPayload()).isEqualTo(Map.of("expired", true));
        assertThat(svix.getMessage().get(app, second.getId()).getPayload()).isEqualTo(Map.of("expired", true));
        assertThat(svix.getMessage().get(other, kept.getId()).getPayload()).isEqualTo(Map.of("type", "a.b"));
    }

    @Test
    void bulk_expunge_blanks_the_messages_named_by_id_or_event_id_and_says_which_it_found() throws Exception {
        String app = svix.getApplication().create(new ApplicationIn().name("bulk-expunge")).getId();
        String other = svix.getApplication().create(new ApplicationIn().name("bulk-expunge-other")).getId();
        String ep = svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/bulk")))).getId();
        // paused: the first message's delivery waits in the queue while its content is expunged
        assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/pause", "").status()).isEqualTo(204);
        var byId = publish(app, "a.b");
        var byEventId = svix.getMessage().create(app, new MessageIn().eventType("a.b").eventId("order-7").payload("{\"n\":7}"));
        var kept = publish(app, "a.b");
        var theirs = svix.getMessage().create(other, new MessageIn().eventType("a.b").eventId("order-9").payload("{\"n\":9}"));

        String path = "/api/v1/app/" + app + "/msg/bulk-expunge";
        var bulk = herald.api.post(path, ApiClient.json("ids", java.util.List.of(byId.getId(), "order-7", "msg_nope", theirs.getId(), "order-9")));
        assertThat(bulk.status()).isEqualTo(200);
        var results = bulk.body().path("results");
        assertThat(results.path(byId.getId()).asText()).isEqualTo("expunged");
        assertThat(results.path("order-7").asText()).isEqualTo("expunged");
        assertThat(results.path("msg_nope").asText()).isEqualTo("not-found");
        assertThat(results.path(theirs.getId()).asText()).isEqualTo("not-found"); // another application's
        assertThat(results.path("order-9").asText()).isEqualTo("not-found");
        assertThat(results.size()).isEqualTo(5);

        assertThat(svix.getMessage().get(app, byId.getId()).getPayload()).isEqualTo(Map.of("expired", true));
        assertThat(svix.getMessage().get(app, byEventId.getId()).getPayload()).isEqualTo(Map.of("expired", true));
        assertThat(svix.getMessage().get(app, kept.getId()).getPayload()).isEqualTo(Map.of("type", "a.b"));
        assertThat(svix.getMessage().get(other, theirs.getId()).getPayload()).isEqualTo(Map.of("n", 9));
        // naming an expunged message again finds it: its content is gone either way
        assertThat(herald.api.post(path, "{\"ids\":[\"order-7\"]}").body().path("results").path("order-7").asText()).isEqualTo("expunged");

        assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/resume", "").status()).isEqualTo(204);
        Receiver.await(WAIT, () -> SvixSdk.call(() -> svix.getEndpoint().getStats(app, ep).getSuccess()) == 1
                && SvixSdk.call(() -> svix.getEndpoint().getStats(app, ep).getCanceled()) == 2, "the expunged deliveries cancelled");
        assertThat(receiver.requests("/bulk")).hasSize(1);

        var none = herald.api.post(path, "{}");
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.body().path("results").size()).isZero();
        var tooMany = herald.api.post(path, ApiClient.json("ids", java.util.stream.IntStream.rangeClosed(0, 1_000)
                .mapToObj(i -> "m" + i).toList()));
        assertThat(tooMany.status()).isEqualTo(422);
        assertThat(tooMany.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"ids\"]");
        var badItem = herald.api.post(path, "{\"ids\":[\"a b\"]}");
        assertThat(badItem.status()).isEqualTo(422);
        // a token given a list of capabilities may not expunge: no capability opens it
        var limited = herald.api.withToken(herald.api.post("/api/v1/auth/app-portal-access/" + app,
                "{\"capabilities\":[\"ViewBase\",\"ManageEndpoint\",\"CreateAttempts\"]}").text("token"));
        assertThat(limited.post(path, "{\"ids\":[\"" + kept.getId() + "\"]}").status()).isEqualTo(403);
        assertThat(svix.getMessage().get(app, kept.getId()).getPayload()).isEqualTo(Map.of("type", "a.b"));
    }

    @Test
    void precheck_says_whether_any_endpoint_would_get_the_message() throws Exception {
        eventTypes("a.b", "c.d");
        String app = svix.getApplication().create(new ApplicationIn().name("precheck")).getId();
        assertThat(svix.getMessage().precheck(app, new MessagePrecheckIn().eventType("a.b")).getActive()).isFalse();
        String ep = svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/p")))
                .filterTypes(Set.of("a.b")).channels(Set.of("eu"))).getId();
        assertThat(svix.getMessage().precheck(app, new MessagePrecheckIn().eventType("a.b").channels(Set.of("eu"))).getActive()).isTrue();
        assertThat(svix.getMessage().precheck(app, new MessagePrecheckIn().eventType("a.b")).getActive()).isFalse();
        assertThat(svix.getMessage().precheck(app, new MessagePrecheckIn().eventType("c.d").channels(Set.of("eu"))).getActive()).isFalse();
        assertThat(herald.api.patch("/api/v1/app/" + app + "/endpoint/" + ep, "{\"disabled\":true}").status()).isEqualTo(200);
        assertThat(svix.getMessage().precheck(app, new MessagePrecheckIn().eventType("a.b").channels(Set.of("eu"))).getActive()).isFalse();
        // a polling endpoint keeps what its types and channels accept: a message it would keep is not for nobody
        assertThat(herald.api.post("/api/v1/app/" + app + "/polling-endpoint",
                "{\"filterTypes\":[\"c.d\"],\"channels\":[\"us\"]}").status()).isEqualTo(201);
        assertThat(svix.getMessage().precheck(app, new MessagePrecheckIn().eventType("c.d").channels(Set.of("us"))).getActive()).isTrue();
        assertThat(svix.getMessage().precheck(app, new MessagePrecheckIn().eventType("c.d").channels(Set.of("eu"))).getActive()).isFalse();
        assertThat(svix.getMessage().precheck(app, new MessagePrecheckIn().eventType("a.b").channels(Set.of("us"))).getActive()).isFalse();

        var noType = herald.api.post("/api/v1/app/" + app + "/msg/precheck/active", "{}");
        assertThat(noType.status()).isEqualTo(422);
        assertThat(noType.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"eventType\"]");
    }

    @Test
    void an_application_token_sees_only_its_own_tasks() {
        String mine = herald.api.post("/api/v1/app", "{\"name\":\"mine\"}").text("id");
        String theirs = herald.api.post("/api/v1/app", "{\"name\":\"theirs\"}").text("id");
        String myTask = herald.api.post("/api/v1/app/" + mine + "/msg/expunge-all-contents", null).text("id");
        String theirTask = herald.api.post("/api/v1/app/" + theirs + "/msg/expunge-all-contents", null).text("id");
        var tenant = herald.api.withToken(herald.api.post("/api/v1/auth/app-portal-access/" + mine, "{}").text("token"));

        assertThat(tenant.get("/api/v1/background-task/" + myTask).status()).isEqualTo(200);
        var hidden = tenant.get("/api/v1/background-task/" + theirTask);
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(hidden.text("code")).isEqualTo("not_found");
        var listed = tenant.get("/api/v1/background-task?limit=250").body().path("data");
        assertThat(listed.findValuesAsText("id")).contains(myTask).doesNotContain(theirTask);
        assertThat(herald.api.get("/api/v1/background-task?limit=250").body().path("data").findValuesAsText("id"))
                .contains(myTask, theirTask);

        var badStatus = herald.api.get("/api/v1/background-task?status=done");
        assertThat(badStatus.status()).isEqualTo(422);
        assertThat(badStatus.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"query\",\"status\"]");
    }
}
