package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.svix.Svix;
import com.svix.SvixOptions;
import com.svix.api.ApplicationListOptions;
import com.svix.api.EndpointListOptions;
import com.svix.api.EventTypeDeleteOptions;
import com.svix.api.EventTypeListOptions;
import com.svix.exceptions.ApiException;
import com.svix.models.ApplicationIn;
import com.svix.models.ApplicationPatch;
import com.svix.models.EndpointHeadersIn;
import com.svix.models.EndpointHeadersPatchIn;
import com.svix.models.EndpointIn;
import com.svix.models.EndpointTransformationIn;
import com.svix.models.EndpointTransformationPatch;
import com.svix.models.EndpointPatch;
import com.svix.models.EndpointSecretRotateIn;
import com.svix.models.EndpointUpdate;
import com.svix.models.EventTypeIn;
import com.svix.models.EventTypePatch;
import com.svix.models.EventTypeUpdate;
import com.svix.models.Ordering;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The official Svix Java SDK, unchanged, against Herald: every call must succeed and parse. */
@ExtendWith(TestDatabase.class)
class SvixSdkCompatibilityTest {
    static final String KEY = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static TestHerald herald;
    static Svix svix;

    @BeforeAll
    static void start() {
        TestDatabase.clean(); // leftover queued work from earlier classes must not reach this server
        herald = TestHerald.start();
        svix = SvixSdk.client(herald);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @Test
    void lists_applications_without_those_with_no_endpoint_or_only_disabled_ones() throws Exception {
        String none = svix.getApplication().create(new ApplicationIn().name("No endpoint")).getId();
        String enabled = svix.getApplication().create(new ApplicationIn().name("One enabled")).getId();
        String disabled = svix.getApplication().create(new ApplicationIn().name("All disabled")).getId();
        String mixed = svix.getApplication().create(new ApplicationIn().name("One of two disabled")).getId();
        svix.getEndpoint().create(enabled, new EndpointIn().url(URI.create("http://127.0.0.1:9/a")));
        svix.getEndpoint().create(disabled, new EndpointIn().url(URI.create("http://127.0.0.1:9/b")).disabled(true));
        svix.getEndpoint().create(disabled, new EndpointIn().url(URI.create("http://127.0.0.1:9/c")).disabled(true));
        svix.getEndpoint().create(mixed, new EndpointIn().url(URI.create("http://127.0.0.1:9/d")).disabled(true));
        svix.getEndpoint().create(mixed, new EndpointIn().url(URI.create("http://127.0.0.1:9/e")));

        assertThat(listedApps(null, null)).containsExactly(none, enabled, disabled, mixed);
        assertThat(listedApps(true, null)).containsExactly(enabled, disabled, mixed);
        assertThat(listedApps(null, true)).containsExactly(none, enabled, mixed);
        assertThat(listedApps(true, true)).containsExactly(enabled, mixed);
        assertThat(listedApps(false, false)).containsExactly(none, enabled, disabled, mixed);

        // the filters hold across pages: one a page, the iterator picks up after the one shown
        var options = appListOptions(true, true);
        options.setLimit(1L);
        var first = svix.getApplication().list(options);
        assertThat(first.getData()).extracting(a -> a.getId()).containsExactly(enabled);
        options.setIterator(first.getIterator());
        var second = svix.getApplication().list(options);
        assertThat(second.getData()).extracting(a -> a.getId()).containsExactly(mixed);
    }

    private static List<String> listedApps(Boolean noEndpoints, Boolean onlyDisabled) throws Exception {
        return svix.getApplication().list(appListOptions(noEndpoints, onlyDisabled)).getData().stream()
                .map(a -> a.getId()).toList();
    }

    private static ApplicationListOptions appListOptions(Boolean noEndpoints, Boolean onlyDisabled) {
        var options = new ApplicationListOptions();
        options.setOrder(Ordering.ASCENDING);
        options.setExcludeAppsWithNoEndpoints(noEndpoints);
        options.setExcludeAppsWithDisabledEndpoints(onlyDisabled);
        options.setExcludeAppsWithSvixPlayEndpoints(true);
        return options;
    }

    @Test
    void manages_applications() throws Exception {
        var created = svix.getApplication().create(new ApplicationIn().name("Acme").uid("acme")
                .metadata(Map.of("plan", "pro")).rateLimit(100L));
        assertThat(created.getId()).startsWith("app_");
        assertThat(created.getUid()).isEqualTo("acme");
        assertThat(created.getMetadata()).containsEntry("plan", "pro");
        assertThat(created.getRateLimit()).isEqualTo(100L);
        assertThat(created.getCreatedAt()).isNotNull();

        var existing = svix.getApplication().getOrCreate(new ApplicationIn().name("Other name").uid("acme"));
        assertThat(existing.getId()).isEqualTo(created.getId());
        assertThat(existing.getName()).isEqualTo("Acme");
        var fresh = svix.getApplication().getOrCreate(new ApplicationIn().name("Fresh").uid("fresh"));
        assertThat(fresh.getId()).isNotEqualTo(created.getId());

        assertThat(svix.getApplication().get("acme").getId()).isEqualTo(created.getId());
        var updated = svix.getApplication().update(created.getId(), new ApplicationIn().name("Acme Inc").uid("acme"));
        assertThat(updated.getName()).isEqualTo("Acme Inc");
        assertThat(updated.getRateLimit()).isNull();
        var patched = svix.getApplication().patch(created.getId(), new ApplicationPatch().rateLimit(5L));
        assertThat(patched.getName()).isEqualTo("Acme Inc");
        assertThat(patched.getRateLimit()).isEqualTo(5L);
        var cleared = svix.getApplication().patch(created.getId(), new ApplicationPatch().rateLimit(null));
        assertThat(cleared.getRateLimit()).isNull();

        var list = svix.getApplication().list();
        assertThat(list.getData()).extracting(a -> a.getId()).containsExactlyInAnyOrder(created.getId(), fresh.getId());
        assertThat(list.getDone()).isTrue();
        var options = new ApplicationListOptions();
        options.setLimit(1L);
        options.setOrder(Ordering.ASCENDING);
        var firstPage = svix.getApplication().list(options);
        assertThat(firstPage.getData()).hasSize(1);
        assertThat(firstPage.getDone()).isFalse();
        options.setIterator(firstPage.getIterator());
        var secondPage = svix.getApplication().list(options);
        assertThat(secondPage.getData().get(0).getId()).isNotEqualTo(firstPage.getData().get(0).getId());

        svix.getApplication().delete(fresh.getId());
        assertThatThrownBy(() -> svix.getApplication().get(fresh.getId()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void manages_event_types() throws Exception {
        var created = svix.getEventType().create(new EventTypeIn().name("invoice.paid").description("Paid")
                .schemas(Map.of("1", Map.of("type", "object"))).groupName("invoice")
                .featureFlags(Set.of("beta")));
        assertThat(created.getName()).isEqualTo("invoice.paid");
        assertThat(created.getArchived()).isFalse();
        assertThat(created.getFeatureFlags()).containsExactly("beta");

        var read = svix.getEventType().get("invoice.paid");
        assertThat(read.getDescription()).isEqualTo("Paid");
        assertThat(read.getGroupName()).isEqualTo("invoice");
        assertThat(read.getSchemas()).isNotNull();
        // as Svix: the list leaves the schemas out unless asked for its content
        assertThat(svix.getEventType().list().getData()).singleElement().satisfies(t -> assertThat(t.getSchemas()).isNull());
        var withContent = new EventTypeListOptions();
        withContent.setWithContent(true);
        assertThat(svix.getEventType().list(withContent).getData()).singleElement()
                .satisfies(t -> assertThat(t.getSchemas()).isEqualTo(Map.of("1", Map.of("type", "object"))));

        var updated = svix.getEventType().update("invoice.paid", new EventTypeUpdate().description("Paid v2"));
        assertThat(updated.getDescription()).isEqualTo("Paid v2");
        assertThat(updated.getGroupName()).isNull();
        var upserted = svix.getEventType().update("invoice.failed", new EventTypeUpdate().description("Failed"));
        assertThat(upserted.getName()).isEqualTo("invoice.failed");
        var patched = svix.getEventType().patch("invoice.paid", new EventTypePatch().deprecated(true).groupName("g"));
        assertThat(patched.getDeprecated()).isTrue();
        assertThat(patched.getGroupName()).isEqualTo("g");
        assertThat(patched.getDescription()).isEqualTo("Paid v2");

        var list = svix.getEventType().list();
        assertThat(list.getData()).extracting(t -> t.getName()).containsExactly("invoice.failed", "invoice.paid");

        svix.getEventType().delete("invoice.failed");
        assertThat(svix.getEventType().get("invoice.failed").getArchived()).isTrue();
        assertThat(svix.getEventType().list().getData()).hasSize(1);
        var withArchived = new EventTypeListOptions();
        withArchived.setIncludeArchived(true);
        assertThat(svix.getEventType().list(withArchived).getData()).hasSize(2);
        var unarchived = svix.getEventType().create(new EventTypeIn().name("invoice.failed").description("Back"));
        assertThat(unarchived.getArchived()).isFalse();

        var expunge = new EventTypeDeleteOptions();
        expunge.setExpunge(true);
        svix.getEventType().delete("invoice.failed", expunge);
        assertThatThrownBy(() -> svix.getEventType().get("invoice.failed"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void manages_endpoints_their_secrets_and_headers() throws Exception {
        String app = svix.getApplication().create(new ApplicationIn().name("Shop")).getId();
        svix.getEventType().create(new EventTypeIn().name("order.created").description("Created"));
        svix.getEventType().create(new EventTypeIn().name("order.paid").description("Paid"));

        var created = svix.getEndpoint().create(app, new EndpointIn().url(URI.create("https://example.com/hook"))
                .uid("main").description("Main").filterTypes(Set.of("order.created")).channels(Set.of("eu"))
                .metadata(Map.of("team", "billing")).putHeadersItem("X-Api-Key", "k1"));
        assertThat(created.getId()).startsWith("ep_");
        assertThat(created.getUrl()).isEqualTo(URI.create("https://example.com/hook"));
        assertThat(created.getFilterTypes()).containsExactly("order.created");
        assertThat(created.getChannels()).containsExactly("eu");
        assertThat(created.getVersion()).isEqualTo(1);
        assertThat(created.getDisabled()).isFalse();

        var secret = svix.getEndpoint().getSecret(app, created.getId());
        assertThat(secret.getKey()).startsWith("whsec_");
        svix.getEndpoint().rotateSecret(app, created.getId(), new EndpointSecretRotateIn());
        String rotated = svix.getEndpoint().getSecret(app, created.getId()).getKey();
        assertThat(rotated).startsWith("whsec_").isNotEqualTo(secret.getKey());
        svix.getEndpoint().rotateSecret(app, "main", new EndpointSecretRotateIn().key(KEY));
        assertThat(svix.getEndpoint().getSecret(app, "main").getKey()).isEqualTo(KEY);

        var headers = svix.getEndpoint().getHeaders(app, created.getId());
        assertThat(headers.getHeaders()).containsEntry("X-Api-Key", "k1");
        assertThat(headers.getSensitive()).isNotNull();
        svix.getEndpoint().updateHeaders(app, created.getId(), new EndpointHeadersIn().headers(Map.of("X-One", "1")));
        assertThat(svix.getEndpoint().getHeaders(app, created.getId()).getHeaders()).isEqualTo(Map.of("X-One", "1"));
        svix.getEndpoint().patchHeaders(app, created.getId(), new EndpointHeadersPatchIn()
                .headers(Map.of("X-Two", "2")).deleteHeaders(List.of("X-One")));
        assertThat(svix.getEndpoint().getHeaders(app, created.getId()).getHeaders()).isEqualTo(Map.of("X-Two", "2"));

        var updated = svix.getEndpoint().update(app, created.getId(), new EndpointUpdate()
                .url(URI.create("https://example.com/v2")).uid("main").filterTypes(Set.of("order.paid")).version(2L));
        assertThat(updated.getUrl()).isEqualTo(URI.create("https://example.com/v2"));
        assertThat(updated.getFilterTypes()).containsExactly("order.paid");
        assertThat(updated.getVersion()).isEqualTo(2);
        assertThat(updated.getChannels()).isNull();

        var patched = svix.getEndpoint().patch(app, "main", new EndpointPatch().description("Patched").disabled(true)
                .filterTypes(null));
        assertThat(patched.getDescription()).isEqualTo("Patched");
        assertThat(patched.getDisabled()).isTrue();
        assertThat(patched.getFilterTypes()).isNull();
        assertThat(patched.getUrl()).isEqualTo(URI.create("https://example.com/v2"));

        var second = svix.getEndpoint().create(app, new EndpointIn().url(URI.create("https://example.com/second")));
        var list = svix.getEndpoint().list(app);
        assertThat(list.getData()).extracting(e -> e.getId()).containsExactly(second.getId(), created.getId());
        var options = new EndpointListOptions();
        options.setLimit(1L);
        options.setOrder(Ordering.ASCENDING);
        var page = svix.getEndpoint().list(app, options);
        assertThat(page.getData()).extracting(e -> e.getId()).containsExactly(created.getId());
        assertThat(page.getDone()).isFalse();

        svix.getEndpoint().delete(app, second.getId());
        assertThatThrownBy(() -> svix.getEndpoint().get(app, second.getId()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
        assertThat(svix.getEndpoint().get(app, "main").getDescription()).isEqualTo("Patched");
        svix.getApplication().delete(app);
        assertThatThrownBy(() -> svix.getEndpoint().list(app))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void surfaces_herald_errors_as_sdk_exceptions() {
        assertThatThrownBy(() -> svix.getApplication().create(new ApplicationIn().name("x").uid("bad uid")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getResponseBody()).contains("\"loc\"");
                });
        var unauthorised = new SvixOptions();
        unauthorised.setServerUrl(herald.baseUrl());
        assertThatThrownBy(() -> new Svix("sk_wrong", unauthorised).getApplication().list())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(401));
    }

    @Test
    void the_transformation_routes_carry_heralds_template_and_switch_it_off_without_losing_it() throws Exception {
        String app = svix.getApplication().create(new ApplicationIn().name("Transforms")).getId();
        String ep = svix.getEndpoint().create(app, new EndpointIn().url(URI.create("http://127.0.0.1:9/t"))).getId();
        var none = svix.getEndpoint().transformationGet(app, ep);
        assertThat(none.getCode()).isNull();
        assertThat(none.getEnabled()).isTrue();

        String template = "{\"body\":{\"text\":\"{{eventType}}\"}}";
        svix.getEndpoint().transformationPartialUpdate(app, ep, new EndpointTransformationIn().code(template).enabled(true));
        assertThat(svix.getEndpoint().transformationGet(app, ep).getCode()).isEqualTo(template);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).body().path("transformation").toString())
                .as("the endpoint's transformation, the one delivery uses").isEqualTo(template);

        // switched off: messages go as they are, and the template is kept
        svix.getEndpoint().patchTransformation(app, ep, new EndpointTransformationPatch().enabled(false));
        var off = svix.getEndpoint().transformationGet(app, ep);
        assertThat(off.getEnabled()).isFalse();
        assertThat(off.getCode()).isEqualTo(template);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).body().path("transformation").isObject()).isFalse();
        var simulated = herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/transformation/simulate",
                "{\"eventType\":\"a.b\",\"payload\":{\"n\":1}}");
        assertThat(simulated.body().path("body").toString()).as("sent as it is").isEqualTo("{\"n\":1}");
        svix.getEndpoint().patchTransformation(app, ep, new EndpointTransformationPatch().enabled(true));
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).body().path("transformation").toString()).isEqualTo(template);
        // asking for what already is changes nothing (not even the endpoint's updatedAt)
        String updatedAt = herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).text("updatedAt");
        assertThat(herald.api.patch("/api/v1/app/" + app + "/endpoint/" + ep + "/transformation", "{\"enabled\":true}").status())
                .isEqualTo(204);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).text("updatedAt")).isEqualTo(updatedAt);

        // Svix's JavaScript, variables, and a template the endpoint checks refuse: a 422 that changes nothing
        var javascript = herald.api.patch("/api/v1/app/" + app + "/endpoint/" + ep + "/transformation",
                "{\"code\":\"function handler(webhook) { return webhook }\",\"enabled\":true}");
        Problems.assertInvalid(javascript, "body", "code");
        Problems.assertInvalid(herald.api.patch("/api/v1/app/" + app + "/endpoint/" + ep + "/transformation",
                "{\"variables\":{\"token\":\"x\"}}"), "body", "variables");
        Problems.assertInvalid(herald.api.patch("/api/v1/app/" + app + "/endpoint/" + ep + "/transformation",
                "{\"code\":\"{\\\"url\\\":\\\"http://169.254.169.254/\\\"}\"}"), "body", "code");
        assertThat(svix.getEndpoint().transformationGet(app, ep).getCode()).isEqualTo(template);

        // code null removes it, in effect or switched off
        svix.getEndpoint().patchTransformation(app, ep, new EndpointTransformationPatch().enabled(false));
        assertThat(herald.api.patch("/api/v1/app/" + app + "/endpoint/" + ep + "/transformation", "{\"code\":null}").status())
                .isEqualTo(204);
        var removed = svix.getEndpoint().transformationGet(app, ep);
        assertThat(removed.getCode()).isNull();
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).body().path("transformation").isObject()).isFalse();

        // so does the endpoint's own "transformation": null, in a PATCH or a PUT, and a new one replaces it
        String path = "/api/v1/app/" + app + "/endpoint/" + ep;
        svix.getEndpoint().transformationPartialUpdate(app, ep, new EndpointTransformationIn().code(template).enabled(true));
        svix.getEndpoint().patchTransformation(app, ep, new EndpointTransformationPatch().enabled(false));
        assertThat(herald.api.patch(path, "{\"transformation\":null}").status()).isEqualTo(200);
        assertThat(svix.getEndpoint().transformationGet(app, ep).getCode()).as("PATCH null").isNull();
        svix.getEndpoint().patchTransformation(app, ep, new EndpointTransformationPatch().enabled(true));
        assertThat(herald.api.get(path).body().path("transformation").isObject()).as("nothing to switch on").isFalse();
        svix.getEndpoint().transformationPartialUpdate(app, ep, new EndpointTransformationIn().code(template).enabled(true));
        svix.getEndpoint().patchTransformation(app, ep, new EndpointTransformationPatch().enabled(false));
        assertThat(herald.api.put(path, "{\"url\":\"http://127.0.0.1:9/t\",\"transformation\":null}").status()).isEqualTo(200);
        assertThat(svix.getEndpoint().transformationGet(app, ep).getCode()).as("PUT null").isNull();
        svix.getEndpoint().transformationPartialUpdate(app, ep, new EndpointTransformationIn().code(template).enabled(true));
        svix.getEndpoint().patchTransformation(app, ep, new EndpointTransformationPatch().enabled(false));
        String other = "{\"body\":{\"other\":\"{{eventType}}\"}}";
        assertThat(herald.api.patch(path, "{\"transformation\":" + other + "}").status()).isEqualTo(200);
        assertThat(herald.api.patch(path, "{\"transformation\":null}").status()).isEqualTo(200);
        assertThat(svix.getEndpoint().transformationGet(app, ep).getCode()).as("no earlier one comes back").isNull();

        // an endpoint that does not exist is a 404
        assertThatThrownBy(() -> svix.getEndpoint().transformationGet(app, "ep_missing"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }
}
