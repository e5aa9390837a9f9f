package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.models.AppPortalAccessIn;
import com.svix.models.IntegrationIn;
import com.svix.models.IntegrationUpdate;
import dev.herald.testing.ApiClient;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Event types behind feature flags, as Svix hides them: an application token sees a flagged type only when it bears
 * one of the type's flags (given in AppPortalAccessIn.featureFlags, or an integration's own); the admin sees every type.
 */
@ExtendWith(TestDatabase.class)
class FeatureFlagVisibilityTest {
    static TestHerald herald;
    static Svix svix;
    static String app;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
        svix = SvixSdk.client(herald);
    }

    @BeforeEach
    void aCatalogWithFlags() {
        app = herald.api.post("/api/v1/app", json("name", "Flagged")).text("id");
        for (String type : List.of(
                "{\"name\":\"ff.plain\",\"description\":\"p\"}",
                "{\"name\":\"ff.beta\",\"description\":\"b\",\"featureFlag\":\"beta\"}",
                "{\"name\":\"ff.either\",\"description\":\"e\",\"featureFlags\":[\"x\",\"y\"]}",
                "{\"name\":\"ff.mixed\",\"description\":\"m\",\"featureFlag\":\"beta\",\"featureFlags\":[\"z\"]}")) {
            assertThat(herald.api.post("/api/v1/event-type", type).status()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static String portalTokenText(String... flags) throws Exception {
        var in = new AppPortalAccessIn().featureFlags(Set.of(flags));
        return svix.getAuthentication().appPortalAccess(app, in).getToken();
    }

    private static ApiClient portalToken(String... flags) throws Exception {
        return herald.api.withToken(portalTokenText(flags));
    }

    /** Every type the token lists, a page of one at a time, so that a hidden type cannot spoil the paging. */
    private static List<String> listed(ApiClient token) {
        var names = new ArrayList<String>();
        String iterator = null;
        for (int page = 0; page < 10; page++) {
            var body = token.get("/api/v1/event-type?limit=1" + (iterator == null ? "" : "&iterator=" + iterator)).body();
            body.path("data").forEach(t -> names.add(t.path("name").asText()));
            if (body.path("done").asBoolean()) break;
            iterator = body.path("iterator").asText();
        }
        return names.stream().filter(n -> n.startsWith("ff.")).toList();
    }

    @Test
    void a_token_sees_the_types_without_flags_and_those_with_one_of_its_flags() throws Exception {
        assertThat(listed(herald.api)).as("the admin").containsExactly("ff.beta", "ff.either", "ff.mixed", "ff.plain");
        assertThat(listed(portalToken())).containsExactly("ff.plain");
        assertThat(listed(portalToken("beta"))).containsExactly("ff.beta", "ff.mixed", "ff.plain");
        assertThat(listed(portalToken("y"))).containsExactly("ff.either", "ff.plain");
        assertThat(listed(portalToken("z", "x"))).containsExactly("ff.either", "ff.mixed", "ff.plain");

        var none = portalToken();
        var hidden = none.get("/api/v1/event-type/ff.beta");
        assertThat(hidden.status()).as("hidden is not found").isEqualTo(404);
        assertThat(hidden.text("code")).isEqualTo("not_found");
        assertThat(none.get("/api/v1/event-type/ff.plain").status()).isEqualTo(200);
        assertThat(portalToken("beta").get("/api/v1/event-type/ff.beta").status()).isEqualTo(200);
        // the official SDK's own list reads the same
        assertThat(SvixSdk.client(herald, portalTokenText("y")).getEventType().list().getData())
                .extracting(t -> t.getName()).contains("ff.either").doesNotContain("ff.beta");
    }

    @Test
    void an_integrations_key_bears_the_integrations_flags_and_follows_their_change() throws Exception {
        var integration = svix.getIntegration().create(app, new IntegrationIn().name("Zap").featureFlags(Set.of("beta")));
        var key = herald.api.withToken(svix.getIntegration().getKey(app, integration.getId()).getKey());
        assertThat(listed(key)).containsExactly("ff.beta", "ff.mixed", "ff.plain");
        svix.getIntegration().update(app, integration.getId(), new IntegrationUpdate().name("Zap").featureFlags(Set.of("x")));
        assertThat(listed(key)).containsExactly("ff.either", "ff.plain");
    }

    @Test
    void feature_flags_are_checked_as_event_types_flags_are() {
        for (String body : List.of("{\"featureFlags\":\"beta\"}", "{\"featureFlags\":[\"no spaces\"]}", "{\"featureFlags\":[\"\"]}")) {
            var refused = herald.api.post("/api/v1/auth/app-portal-access/" + app, body);
            assertThat(refused.status()).as(body).isEqualTo(422);
            assertThat(refused.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"featureFlags\"]");
        }
    }
}
