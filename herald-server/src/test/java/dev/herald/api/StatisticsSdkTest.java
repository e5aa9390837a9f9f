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

/** Svix's statistics API ({@code statistics.aggregateAppStats}) driven by the official Java SDK. */
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
