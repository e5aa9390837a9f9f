package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.svix.Svix;
import com.svix.SvixOptions;
import com.svix.api.IntegrationListOptions;
import com.svix.exceptions.ApiException;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.IntegrationIn;
import com.svix.models.IntegrationUpdate;
import com.svix.models.Ordering;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Svix's integrations (named application keys) driven by the official Java SDK. */
@ExtendWith(TestDatabase.class)
class IntegrationSdkTest {
    static TestHerald herald;
    static Svix svix;

    @BeforeAll
    static void start() {
        herald = TestHerald.start(TestHerald.defaultEnv(), Clock.systemUTC());
        svix = SvixSdk.client(herald);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    /** The SDK speaking with {@code key} instead of the admin token. */
    private static Svix as(String key) {
        var options = new SvixOptions();
        options.setServerUrl(herald.baseUrl());
        return new Svix(key, options);
    }

    private static int status(ThrowingCall call) {
        try {
            call.run();
            return 200;
        } catch (ApiException e) {
            return e.getCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static IntegrationListOptions page(long limit, String iterator) {
        var options = new IntegrationListOptions();
        options.setLimit(limit);
        options.setOrder(Ordering.ASCENDING);
        options.setIterator(iterator);
        return options;
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void manages_integrations_and_their_keys_speak_for_their_application_only() throws Exception {
        String app = svix.getApplication().create(new ApplicationIn().name("integrated").uid("integrated")).getId();
        String other = svix.getApplication().create(new ApplicationIn().name("other")).getId();
        svix.getEndpoint().create(other, new EndpointIn().url(URI.create("http://127.0.0.1:9/other")));

        var created = svix.getIntegration().create("integrated", new IntegrationIn().name("Zapier").featureFlags(Set.of("beta")));
        assertThat(created.getId()).startsWith("integ_");
        assertThat(created.getName()).isEqualTo("Zapier");
        assertThat(created.getFeatureFlags()).containsExactly("beta");
        assertThat(svix.getIntegration().get(app, created.getId()).getName()).isEqualTo("Zapier");

        var updated = svix.getIntegration().update(app, created.getId(), new IntegrationUpdate().name("Zapier (prod)"));
        assertThat(updated.getName()).isEqualTo("Zapier (prod)");
        assertThat(updated.getFeatureFlags()).as("replaced, as PUT does").isNullOrEmpty();

        // the key reads back the same until rotated, and is not stored in plain text
        String key = svix.getIntegration().getKey(app, created.getId()).getKey();
        assertThat(svix.getIntegration().getKey(app, created.getId()).getKey()).isEqualTo(key);
        String rows = TestDatabase.jdbi().withHandle(h -> h.createQuery(
                "select coalesce(string_agg(x::text, '|'), '') from (select * from integration) x").mapTo(String.class).one()
                + h.createQuery("select coalesce(string_agg(x::text, '|'), '') from (select * from api_token) x").mapTo(String.class).one());
        assertThat(rows).doesNotContain(key).doesNotContain(HexFormat.of().formatHex(key.getBytes()));

        // the key is an application token: its own application's routes, nothing of another or of the environment
        var integrationClient = as(key);
        assertThat(integrationClient.getEndpoint().list(app).getData()).isEmpty();
        integrationClient.getEndpoint().create(app, new EndpointIn().url(URI.create("http://127.0.0.1:9/mine")));
        assertThat(status(() -> integrationClient.getEndpoint().list(other))).isEqualTo(404);
        assertThat(status(() -> integrationClient.getApplication().list())).isEqualTo(403);
        assertThat(status(() -> integrationClient.getIntegration().create(app, new IntegrationIn().name("more")))).isEqualTo(403);

        // expire-all ends the app's portal tokens, not its integration keys; an integration key cannot log out
        assertThat(herald.api.post("/api/v1/auth/app/" + app + "/expire-all", "{}").status()).isEqualTo(204);
        assertThat(integrationClient.getEndpoint().list(app).getData()).hasSize(1);
        var logout = herald.api.withToken(key).post("/api/v1/auth/logout", "{}");
        Problems.assertError(logout, 403, "insufficient access");
        assertThat(integrationClient.getEndpoint().list(app).getData()).hasSize(1);

        // rotation: the new key works, the old one is refused at once
        // over plain HTTP: the Java SDK 1.99.1 cannot send rotateKey (OkHttp refuses a POST without a body); the JS check does
        var rotation = herald.api.post("/api/v1/app/" + app + "/integration/" + created.getId() + "/key/rotate", null);
        assertThat(rotation.status()).as("%s", rotation).isEqualTo(200);
        String rotated = rotation.text("key");
        assertThat(rotated).isNotEqualTo(key).startsWith("appsk_");
        assertThat(svix.getIntegration().getKey(app, created.getId()).getKey()).isEqualTo(rotated);
        assertThat(status(() -> integrationClient.getEndpoint().list(app))).isEqualTo(401);
        assertThat(as(rotated).getEndpoint().list(app).getData()).hasSize(1);

        // deletion ends the key with it
        svix.getIntegration().delete(app, created.getId());
        assertThat(status(() -> as(rotated).getEndpoint().list(app))).isEqualTo(401);
        assertThat(status(() -> svix.getIntegration().get(app, created.getId()))).isEqualTo(404);
        assertThat(status(() -> svix.getIntegration().getKey(app, created.getId()))).isEqualTo(404);
        long tokensLeft = TestDatabase.jdbi().withHandle(h -> h.createQuery("select count(*) from api_token where app_id = :app")
                .bind("app", app).mapTo(Long.class).one());
        assertThat(tokensLeft).as("no portal token was made; the integration's are deleted").isZero();
    }

    @Test
    void lists_by_page_keeps_applications_apart_and_refuses_bad_input() throws Exception {
        String app = svix.getApplication().create(new ApplicationIn().name("listing")).getId();
        String other = svix.getApplication().create(new ApplicationIn().name("listing-other")).getId();
        for (int i = 0; i < 3; i++) svix.getIntegration().create(app, new IntegrationIn().name("i" + i));
        String elsewhere = svix.getIntegration().create(other, new IntegrationIn().name("elsewhere")).getId();

        var first = svix.getIntegration().list(app, page(2, null));
        assertThat(first.getData()).extracting(i -> i.getName()).containsExactly("i0", "i1");
        assertThat(first.getDone()).isFalse();
        var second = svix.getIntegration().list(app, page(2, first.getIterator()));
        assertThat(second.getData()).extracting(i -> i.getName()).containsExactly("i2");
        assertThat(second.getDone()).isTrue();

        // another application's integration is not found through this one
        assertThat(status(() -> svix.getIntegration().get(app, elsewhere))).isEqualTo(404);
        assertThat(herald.api.post("/api/v1/app/" + app + "/integration/" + elsewhere + "/key/rotate", null).status()).isEqualTo(404);
        assertThat(status(() -> svix.getIntegration().delete(app, elsewhere))).isEqualTo(404);
        assertThat(svix.getIntegration().get(other, elsewhere).getName()).isEqualTo("elsewhere");

        Problems.assertInvalid(herald.api.post("/api/v1/app/" + app + "/integration", "{}"), "body", "name");
        Problems.assertInvalid(herald.api.post("/api/v1/app/" + app + "/integration", "{\"name\":\"x\",\"featureFlags\":[\"no spaces\"]}"),
                "body", "featureFlags");
        Problems.assertInvalid(herald.api.get("/api/v1/app/" + app + "/integration?iterator=app_000000000000000000000000000"),
                "query", "iterator");
        assertThat(herald.api.post("/api/v1/app/app_missing/integration", "{\"name\":\"x\"}").status()).isEqualTo(404);

        // deleting the application deletes its integrations and their keys
        String key = svix.getIntegration().getKey(other, elsewhere).getKey();
        svix.getApplication().delete(other);
        assertThat(status(() -> as(key).getEndpoint().list(other))).isEqualTo(401);
        long integrationsLeft = TestDatabase.jdbi().withHandle(h -> h.createQuery("select count(*) from integration where app_id = :app")
                .bind("app", other).mapTo(Long.class).one());
        assertThat(integrationsLeft).isZero();
    }
}
