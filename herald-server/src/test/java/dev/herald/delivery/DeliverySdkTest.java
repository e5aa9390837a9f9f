package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.api.EndpointGetStatsOptions;
import com.svix.api.MessageAttemptListAttemptedMessagesOptions;
import com.svix.api.MessageAttemptListByEndpointOptions;
import com.svix.api.MessageAttemptListByMsgOptions;
import com.svix.api.MessageCreateOptions;
import com.svix.models.ApplicationIn;
import com.svix.models.BackgroundTaskStatus;
import com.svix.models.EndpointIn;
import com.svix.models.EventExampleIn;
import com.svix.models.EventTypeIn;
import com.svix.models.MessageAttemptOut;
import com.svix.models.MessageAttemptTriggerType;
import com.svix.models.MessageIn;
import com.svix.models.MessageStatus;
import com.svix.models.RecoverIn;
import com.svix.models.StatusCodeClass;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The delivery half of the API driven by the official Svix Java SDK, unchanged: requests it sends, answers it parses. */
@ExtendWith(TestDatabase.class)
class DeliverySdkTest {
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

    /** The endpoint's attempts with the SDK's list options as {@code filter} sets them. */
    private List<MessageAttemptOut> attemptsAt(String app, String ep,
                                               java.util.function.Consumer<MessageAttemptListByEndpointOptions> filter) throws Exception {
        var options = new MessageAttemptListByEndpointOptions();
        filter.accept(options);
        return svix.getMessageAttempt().listByEndpoint(app, ep, options).getData();
    }

    @Test
    void with_content_false_leaves_payloads_and_response_bodies_out_as_svix_does() throws Exception {
        String app = svix.getApplication().create(new ApplicationIn().name("content")).getId();
        String ep = svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/c")))).getId();
        var noContent = new MessageCreateOptions();
        noContent.setWithContent(false);
        var lean = svix.getMessage().create(app, new MessageIn().eventType("a.b").payload("{\"n\":1}"), noContent);
        assertThat(lean.getPayload()).isEqualTo(Map.of());
        var keyed = new MessageCreateOptions();
        keyed.setWithContent(false);
        keyed.setIdempotencyKey("content-key");
        assertThat(svix.getMessage().create(app, new MessageIn().eventType("a.b").payload("{\"n\":2}"), keyed).getPayload())
                .isEqualTo(Map.of());
        var full = svix.getMessage().create(app, new MessageIn().eventType("a.b").payload("{\"n\":3}"));
        assertThat(full.getPayload()).isEqualTo(Map.of("n", 3));
        // the payload was stored whole all the same
        assertThat(svix.getMessage().get(app, lean.getId()).getPayload()).isEqualTo(Map.of("n", 1));
        Receiver.await(WAIT, () -> receiver.requests("/c").size() == 3, "all three delivered");
        assertThat(receiver.requests("/c")).anyMatch(r -> r.body().contains("\"n\":1"));
        Receiver.await(WAIT, () -> SvixSdk.call(() -> svix.getEndpoint().getStats(app, ep).getSuccess()) == 3, "recorded");

        // attempts: the response body ("ok" from this receiver) is "{}" without content; with_msg never has the payload
        var byEndpoint = new MessageAttemptListByEndpointOptions();
        byEndpoint.setWithContent(false);
        byEndpoint.setWithMsg(true);
        var leanAttempts = svix.getMessageAttempt().listByEndpoint(app, ep, byEndpoint).getData();
        assertThat(leanAttempts).hasSize(3).allSatisfy(a -> {
            assertThat(a.getResponse()).isEqualTo("{}");
            assertThat(a.getMsg().getPayload()).isEqualTo(Map.of());
            assertThat(a.getMsg().getEventType()).isEqualTo("a.b");
        });
        assertThat(svix.getMessageAttempt().listByEndpoint(app, ep).getData())
                .hasSize(3).allSatisfy(a -> assertThat(a.getResponse()).isEqualTo("ok"));
        var byMsg = new MessageAttemptListByMsgOptions();
        byMsg.setWithContent(false);
        assertThat(svix.getMessageAttempt().listByMsg(app, lean.getId(), byMsg).getData())
                .singleElement().satisfies(a -> assertThat(a.getResponse()).isEqualTo("{}"));
        var attempted = new MessageAttemptListAttemptedMessagesOptions();
        attempted.setWithContent(false);
        assertThat(svix.getMessageAttempt().listAttemptedMessages(app, ep, attempted).getData())
                .hasSize(3).allSatisfy(m -> assertThat(m.getPayload()).isEqualTo(Map.of()));
    }

    @Test
    void publishes_raw_payloads_and_lists_attempts_by_sdk_status_code_class() throws Exception {
        String app = svix.getApplication().create(new ApplicationIn().name("sdk")).getId();
        receiver.reply(r -> r.path().equals("/bad") ? Receiver.Reply.status(500) : Receiver.Reply.status(200));
        String good = svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/good")))).getId();
        String bad = svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/bad")))).getId();

        String raw = "{\"amount\": 1.10, \"id\":\"in_1\"}";
        var sent = svix.getMessage().create(app, com.svix.api.Message.messageInRaw(raw).eventType("invoice.paid")
                .channels(Set.of("eu")).tags(Set.of("vip")));
        var plain = svix.getMessage().create(app, new MessageIn().eventType("invoice.sent").payload("{\"n\":2}"));
        Receiver.await(WAIT, () -> receiver.requests("/good").size() == 2 && receiver.requests("/bad").size() == 2, "fan-out");
        assertThat(receiver.requests("/good")).anyMatch(r -> r.body().equals(raw));
        Receiver.await(WAIT, () -> SvixSdk.call(() -> svix.getEndpoint().getStats(app, bad).getFail()) == 2, "failures recorded");

        var ok = attemptsAt(app, good, o -> o.setStatusCodeClass(StatusCodeClass.CODE2XX));
        assertThat(ok).hasSize(2).allMatch(a -> a.getStatus() == MessageStatus.SUCCESS && a.getResponseStatusCode() == 200);
        assertThat(attemptsAt(app, good, o -> o.setStatusCodeClass(StatusCodeClass.CODE5XX))).isEmpty();
        assertThat(attemptsAt(app, bad, o -> o.setStatusCodeClass(StatusCodeClass.CODE5XX))).hasSize(2);
        assertThat(attemptsAt(app, bad, o -> o.setStatus(MessageStatus.FAIL))).hasSize(2);
        assertThat(attemptsAt(app, bad, o -> o.setChannel("eu")))
                .singleElement().extracting(MessageAttemptOut::getMsgId).isEqualTo(sent.getId());
        assertThat(attemptsAt(app, bad, o -> o.setTag("vip")))
                .singleElement().extracting(MessageAttemptOut::getMsgId).isEqualTo(sent.getId());

        var attempt = ok.get(0);
        var one = svix.getMessageAttempt().get(app, attempt.getMsgId(), attempt.getId());
        assertThat(one.getEndpointId()).isEqualTo(good);
        assertThat(one.getTriggerType()).isEqualTo(MessageAttemptTriggerType.SCHEDULED);

        var failedOnly = new MessageAttemptListAttemptedMessagesOptions();
        failedOnly.setStatus(MessageStatus.FAIL);
        var attempted = svix.getMessageAttempt().listAttemptedMessages(app, bad, failedOnly).getData();
        assertThat(attempted).extracting(m -> m.getId()).containsExactlyInAnyOrder(sent.getId(), plain.getId());
        var destinations = svix.getMessageAttempt().listAttemptedDestinations(app, sent.getId()).getData();
        assertThat(destinations).extracting(d -> d.getId() + "=" + d.getStatus())
                .containsExactlyInAnyOrder(good + "=" + MessageStatus.SUCCESS, bad + "=" + MessageStatus.FAIL);
        var recent = new EndpointGetStatsOptions();
        recent.setSince(OffsetDateTime.now().minusMinutes(5));
        var stats = svix.getEndpoint().getStats(app, good, recent);
        assertThat(stats.getSuccess()).isEqualTo(2);
        assertThat(stats.getFail()).isZero();
    }

    @Test
    void resends_recovers_and_sends_examples() throws Exception {
        svix.getEventType().create(new EventTypeIn().name("user.created").description("A user")
                .schemas(Map.of("1", Map.of("type", "object", "examples", List.of(Map.of("userId", "u_1"), Map.of("userId", "u_2"))))));
        String app = svix.getApplication().create(new ApplicationIn().name("sdk2")).getId();
        String ep = svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/r")))).getId();

        receiver.reply(r -> Receiver.Reply.status(503));
        String msg = svix.getMessage().create(app, new MessageIn().eventType("user.created").payload("{\"n\":1}")).getId();
        Receiver.await(WAIT, () -> SvixSdk.call(() -> svix.getEndpoint().getStats(app, ep).getFail()) == 1, "the failure recorded");

        receiver.reply(r -> Receiver.Reply.status(200));
        var recovered = svix.getEndpoint().recover(app, ep, new RecoverIn().since(OffsetDateTime.now().minusHours(1)));
        assertThat(recovered.getStatus()).isIn(BackgroundTaskStatus.RUNNING, BackgroundTaskStatus.FINISHED);
        Receiver.await(WAIT, () -> SvixSdk.call(() -> svix.getEndpoint().getStats(app, ep).getSuccess()) == 1, "the recovered delivery");

        // the SDK's resend() fails inside OkHttp before sending (a POST without a body), so send what it means to
        var resend = herald.api.post("/api/v1/app/" + app + "/msg/" + msg + "/endpoint/" + ep + "/resend", null);
        assertThat(resend.status()).isEqualTo(202);
        Receiver.await(WAIT, () -> SvixSdk.call(() -> svix.getMessageAttempt().listByMsg(app, msg).getData().size()) == 3, "the resent attempt");
        assertThat(svix.getMessageAttempt().listByMsg(app, msg).getData())
                .filteredOn(a -> a.getTriggerType() == MessageAttemptTriggerType.MANUAL).hasSize(2);

        var example = svix.getEndpoint().sendExample(app, ep, new EventExampleIn().eventType("user.created").exampleIndex(1L));
        Receiver.await(WAIT, () -> receiver.requests("/r").stream().anyMatch(r -> r.header("webhook-id").equals(example.getId())),
                "the example");
        var request = receiver.requests("/r").stream().filter(r -> r.header("webhook-id").equals(example.getId())).findFirst().orElseThrow();
        assertThat(request.body()).isEqualTo("{\"userId\":\"u_2\"}");
    }
}
