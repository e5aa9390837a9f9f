package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.svix.Svix;
import com.svix.exceptions.ApiException;
import com.svix.models.AppUsageStatsIn;
import com.svix.models.ApplicationIn;
import com.svix.models.BackgroundTaskStatus;
import com.svix.models.BackgroundTaskType;
import com.svix.models.EndpointIn;
import com.svix.models.EventTypeIn;
import com.svix.models.MessageIn;
import dev.herald.domain.Application;
import dev.herald.testing.Receiver;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Svix's statistics API ({@code statistics.aggregateAppStats}, {@code aggregateEventTypes}) driven by the official Java SDK. */
@ExtendWith(TestDatabase.class)
class StatisticsSdkTest {
    static TestHerald herald;
    static Svix svix;
    static Receiver receiver;

    @BeforeAll
    static void start() {
        herald = TestHerald.start(TestHerald.defaultEnv(), Clock.systemUTC());
        svix = SvixSdk.client(herald);
        receiver = new Receiver();
    }

    @AfterAll
    static void stop() {
        herald.close();
        receiver.close();
    }

    /** An application with {@code endpoints} endpoints and {@code messages} messages published to it; its id. */
    private static String appWith(String uid, int endpoints, int messages) throws Exception {
        String app = svix.getApplication().create(new ApplicationIn().name(uid).uid(uid)).getId();
        for (int i = 0; i < endpoints; i++) svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/" + uid + "/" + i))));
        for (int i = 0; i < messages; i++) svix.getMessage().create(app, new MessageIn().eventType("stats.test").payload("{\"i\":" + i + "}"));
        return app;
    }

    /** The task's {@code data.appStats}, by application id. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> appStats(String taskId) throws Exception {
        var task = svix.getBackgroundTask().get(taskId);
        assertThat(task.getTask()).isEqualTo(BackgroundTaskType.APPLICATION_STATS);
        assertThat(task.getStatus()).isEqualTo(BackgroundTaskStatus.FINISHED);
        var stats = (List<Map<String, Object>>) ((Map<String, Object>) task.getData()).get("appStats");
        var byApp = new java.util.LinkedHashMap<String, Map<String, Object>>();
        stats.forEach(s -> byApp.put((String) s.get("appId"), s));
        return byApp;
    }

    @Test
    void counts_each_applications_message_destinations_in_the_period() throws Exception {
        String a = appWith("stats-a", 2, 3);
        String b = appWith("stats-b", 1, 2);
        String quiet = appWith("stats-quiet", 1, 0);
        var hourAgo = OffsetDateTime.now().minusHours(1);
        var inAnHour = OffsetDateTime.now().plusHours(1);

        // an operational webhook endpoint makes Herald's own application exist
        assertThat(herald.api.post("/api/v1/operational-webhook/endpoint", "{\"url\":\"" + receiver.url("/ops") + "\"}").status())
                .isEqualTo(201);

        // by uid and by id; a key that names nothing, and Herald's own application, come back unresolved
        var out = svix.getStatistics().aggregateAppStats(new AppUsageStatsIn().since(hourAgo).until(inAnHour)
                .appIds(Set.of("stats-a", b, quiet, "app_nothing", Application.OPERATIONAL_UID)));
        assertThat(out.getTask()).isEqualTo(BackgroundTaskType.APPLICATION_STATS);
        assertThat(out.getStatus()).isEqualTo(BackgroundTaskStatus.FINISHED);
        assertThat(out.getId()).startsWith("qtask_");
        assertThat(out.getUnresolvedAppIds()).containsExactlyInAnyOrder("app_nothing", Application.OPERATIONAL_UID);
        var asked = appStats(out.getId());
        assertThat(asked.keySet()).containsExactlyInAnyOrder(a, b, quiet);
        assertThat(asked.get(a)).containsEntry("appUid", "stats-a").containsEntry("messageDestinations", 6);
        assertThat(asked.get(b)).containsEntry("appUid", "stats-b").containsEntry("messageDestinations", 2);
        assertThat(asked.get(quiet)).containsEntry("messageDestinations", 0);

        // without appIds: every application that had a delivery in the period
        var all = appStats(svix.getStatistics().aggregateAppStats(new AppUsageStatsIn().since(hourAgo).until(inAnHour)).getId());
        assertThat(all).containsKeys(a, b).doesNotContainKey(quiet);
        assertThat(all.get(a)).containsEntry("messageDestinations", 6);

        // a period after the messages counts none of them
        var later = appStats(svix.getStatistics().aggregateAppStats(new AppUsageStatsIn().since(inAnHour)
                .until(inAnHour.plusHours(1)).appIds(Set.of(a))).getId());
        assertThat(later.get(a)).containsEntry("messageDestinations", 0);
    }

    /** The {@code event-type.aggregate} task's {@code data.event_types}, by application id. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> eventTypeStats(String taskId) throws Exception {
        var task = svix.getBackgroundTask().get(taskId);
        assertThat(task.getTask()).isEqualTo(BackgroundTaskType.EVENT_TYPE_AGGREGATE);
        assertThat(task.getStatus()).isEqualTo(BackgroundTaskStatus.FINISHED);
        var byApp = new java.util.LinkedHashMap<String, Map<String, Object>>();
        ((List<Map<String, Object>>) ((Map<String, Object>) task.getData()).get("event_types"))
                .forEach(s -> byApp.put((String) s.get("appId"), s));
        return byApp;
    }

    @Test
    void lists_the_event_types_each_applications_endpoints_subscribe_to() throws Exception {
        for (String type : List.of("user.signup", "user.deleted", "invoice.paid", "card.viewed", "a.b")) {
            svix.getEventType().create(new EventTypeIn().name(type).description(type));
        }
        String typed = svix.getApplication().create(new ApplicationIn().name("types-typed")).getId();
        svix.getEndpoint().create(typed, new EndpointIn().url(URI.create(receiver.url("/t/1")))
                .filterTypes(Set.of("user.signup", "invoice.paid")));
        svix.getEndpoint().create(typed, new EndpointIn().url(URI.create(receiver.url("/t/2")))
                .filterTypes(Set.of("user.signup", "user.deleted")));
        // a disabled endpoint receives nothing: neither its types nor its catch-all count
        svix.getEndpoint().create(typed, new EndpointIn().url(URI.create(receiver.url("/t/3"))).disabled(true)
                .filterTypes(Set.of("card.viewed")));
        svix.getEndpoint().create(typed, new EndpointIn().url(URI.create(receiver.url("/t/4"))).disabled(true));
        String catchAll = svix.getApplication().create(new ApplicationIn().name("types-catch-all")).getId();
        svix.getEndpoint().create(catchAll, new EndpointIn().url(URI.create(receiver.url("/c/1"))));
        svix.getEndpoint().create(catchAll, new EndpointIn().url(URI.create(receiver.url("/c/2"))).filterTypes(Set.of("a.b")));
        String none = svix.getApplication().create(new ApplicationIn().name("types-none")).getId();
        assertThat(herald.api.post("/api/v1/operational-webhook/endpoint", "{\"url\":\"" + receiver.url("/ops2") + "\"}").status())
                .isEqualTo(201);

        // the Java SDK 1.99.1 cannot send this call (OkHttp refuses a PUT without a body); the JS SDK's check makes it
        var out = herald.api.put("/api/v1/stats/usage/event-types", null);
        assertThat(out.status()).isEqualTo(202);
        assertThat(out.text("id")).startsWith("qtask_");
        assertThat(out.text("task")).isEqualTo("event-type.aggregate");
        assertThat(out.text("status")).isEqualTo("finished");
        var stats = eventTypeStats(out.text("id"));
        assertThat(stats.get(typed)).containsEntry("explicitlySubscribedEventTypes", List.of("invoice.paid", "user.deleted", "user.signup"))
                .containsEntry("hasCatchAllEndpoint", false);
        assertThat(stats.get(catchAll)).containsEntry("explicitlySubscribedEventTypes", List.of("a.b"))
                .containsEntry("hasCatchAllEndpoint", true);
        assertThat(stats.get(none)).containsEntry("explicitlySubscribedEventTypes", List.of())
                .containsEntry("hasCatchAllEndpoint", false);
        // Herald's own application (it has the operational endpoint) is not one of the environment's; every other is listed
        String operational = TestDatabase.jdbi().withHandle(h -> h.createQuery("select id from application where uid = :uid")
                .bind("uid", Application.OPERATIONAL_UID).mapTo(String.class).one());
        assertThat(stats).doesNotContainKey(operational);
        assertThat(stats.keySet()).containsExactlyInAnyOrderElementsOf(TestDatabase.jdbi().withHandle(h -> h.createQuery(
                "select id from application where id <> :operational").bind("operational", operational).mapTo(String.class).list()));

        // admin only
        var tenant = herald.api.withToken(herald.api.post("/api/v1/auth/app-portal-access/" + none, "{}").text("token"));
        assertThat(tenant.put("/api/v1/stats/usage/event-types", null).status()).isEqualTo(403);
    }

    @Test
    void refuses_a_request_that_names_no_application_or_no_period_and_any_but_an_admin() throws Exception {
        var now = OffsetDateTime.now();
        assertThatThrownBy(() -> svix.getStatistics().aggregateAppStats(new AppUsageStatsIn().since(now.minusHours(1)).until(now)
                .appIds(Set.of("app_nothing"))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(422));
        assertThatThrownBy(() -> svix.getStatistics().aggregateAppStats(new AppUsageStatsIn().since(now).until(now.minusHours(1))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(422));

        var missingSince = herald.api.post("/api/v1/stats/usage/app", "{\"until\":\"2026-01-01T00:00:00Z\"}");
        Problems.assertInvalid(missingSince, "body", "since");
        var notAList = herald.api.post("/api/v1/stats/usage/app",
                "{\"since\":\"2026-01-01T00:00:00Z\",\"until\":\"2026-01-02T00:00:00Z\",\"appIds\":\"app_x\"}");
        Problems.assertInvalid(notAList, "body", "appIds");
        // admin only: an application's token may not count the environment's applications
        String app = svix.getApplication().create(new ApplicationIn().name("tenant")).getId();
        var tenant = herald.api.withToken(herald.api.post("/api/v1/auth/app-portal-access/" + app, "{}").text("token"));
        var refused = tenant.post("/api/v1/stats/usage/app", "{\"since\":\"2026-01-01T00:00:00Z\",\"until\":\"2026-01-02T00:00:00Z\"}");
        assertThat(refused.status()).isEqualTo(403);
    }
}
