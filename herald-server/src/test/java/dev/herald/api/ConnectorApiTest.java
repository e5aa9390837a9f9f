package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.svix.Svix;
import com.svix.api.ConnectorListOptions;
import com.svix.exceptions.ApiException;
import com.svix.models.ApplicationIn;
import com.svix.models.ConnectorIn;
import com.svix.models.ConnectorKind;
import com.svix.models.ConnectorPatch;
import com.svix.models.ConnectorProduct;
import com.svix.models.ConnectorUpdate;
import dev.herald.testing.MutableClock;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Svix's connectors ({@code /api/v1/connector}) with the official Java SDK: Herald's transformation templates. */
@ExtendWith(TestDatabase.class)
class ConnectorApiTest {
    static final String SLACK = "{\"body\":{\"text\":\"{{eventType}}: {{payload.summary}}\"}}";

    static MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    static TestHerald herald;
    static Svix svix;

    @BeforeAll
    static void start() {
        herald = TestHerald.start(TestHerald.defaultEnv(), clock);
        svix = SvixSdk.client(herald);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static com.svix.api.Connector connectors() {
        return new com.svix.api.Connector(svix.getHttpClient());
    }

    private static ConnectorIn slack() {
        return new ConnectorIn().name("Slack").uid("slack").kind(ConnectorKind.SLACK)
                .logo(URI.create("https://example.com/slack.png")).description("Post to a Slack channel")
                .instructions("Make an incoming webhook in Slack and paste its URL.")
                .allowedEventTypes(Set.of("invoice.paid")).featureFlags(Set.of("beta")).transformation(SLACK);
    }

    @Test
    void made_read_listed_changed_and_deleted_through_the_sdk() throws Exception {
        var made = connectors().create(slack());
        assertThat(made.getId()).startsWith("trtmpl_");
        assertThat(made.getOrgId()).isEqualTo("org_herald");
        assertThat(made.getName()).isEqualTo("Slack");
        assertThat(made.getKind()).isEqualTo(ConnectorKind.SLACK);
        assertThat(made.getLogo()).isEqualTo(URI.create("https://example.com/slack.png"));
        assertThat(made.getAllowedEventTypes()).containsExactly("invoice.paid");
        assertThat(made.getFeatureFlags()).containsExactly("beta");
        assertThat(made.getProductType()).isEqualTo(ConnectorProduct.DISPATCH);
        assertThat(made.getTransformation()).isEqualTo(SLACK);
        assertThat(connectors().get("slack").getId()).isEqualTo(made.getId());
        assertThat(connectors().get(made.getId()).getInstructions()).isEqualTo("Make an incoming webhook in Slack and paste its URL.");

        var plain = connectors().create(new ConnectorIn().name("Plain").transformation("{\"method\":\"PUT\"}"));
        assertThat(plain.getKind()).isEqualTo(ConnectorKind.CUSTOM);
        assertThat(plain.getDescription()).isEmpty();
        assertThat(plain.getAllowedEventTypes()).isNull();
        var page = new ConnectorListOptions();
        page.setLimit(1L);
        var first = connectors().list(page);
        assertThat(first.getData()).hasSize(1);
        assertThat(first.getDone()).isFalse();
        page.setIterator(first.getIterator());
        var second = connectors().list(page);
        assertThat(second.getData()).hasSize(1);
        assertThat(second.getData().get(0).getId()).isNotEqualTo(first.getData().get(0).getId());
        var streams = new ConnectorListOptions();
        streams.setProductType(ConnectorProduct.STREAM);
        assertThat(connectors().list(streams).getData()).isEmpty();

        // PUT replaces: left-out fields take their defaults, the name and uid are kept; the template's time moves only with it
        clock.advance(Duration.ofMinutes(1));
        var updated = connectors().update(made.getId(), new ConnectorUpdate().transformation(SLACK).description("Slack it"));
        assertThat(updated.getName()).isEqualTo("Slack");
        assertThat(updated.getUid()).isEqualTo("slack");
        assertThat(updated.getDescription()).isEqualTo("Slack it");
        assertThat(updated.getKind()).isEqualTo(ConnectorKind.CUSTOM);
        assertThat(updated.getAllowedEventTypes()).isNull();
        assertThat(updated.getTransformationUpdatedAt()).isEqualTo(made.getTransformationUpdatedAt());
        assertThat(updated.getUpdatedAt()).isAfter(made.getUpdatedAt());
        clock.advance(Duration.ofMinutes(1));
        var patched = connectors().patch("slack", new ConnectorPatch().transformation("{\"body\":{\"text\":\"{{eventType}}\"}}")
                .kind(ConnectorKind.DISCORD));
        assertThat(patched.getDescription()).isEqualTo("Slack it");
        assertThat(patched.getKind()).isEqualTo(ConnectorKind.DISCORD);
        assertThat(patched.getTransformationUpdatedAt()).isAfter(updated.getTransformationUpdatedAt());
        // null clears the logo (the SDK leaves nulls out, so over HTTP)
        var cleared = herald.api.patch("/api/v1/connector/slack", "{\"logo\":null,\"featureFlags\":null}");
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(cleared.body().path("logo").isTextual()).isFalse();
        assertThat(cleared.body().path("featureFlags").isArray()).isFalse();
        assertThat(cleared.body().path("kind").asText()).isEqualTo("Discord");

        // PUT of a uid that names none makes it; of an id that names none is a 404
        var upserted = herald.api.put("/api/v1/connector/teams", "{\"name\":\"Teams\",\"transformation\":\"{}\"}");
        assertThat(upserted.status()).isEqualTo(201);
        assertThat(upserted.text("uid")).isEqualTo("teams");
        Problems.assertError(herald.api.put("/api/v1/connector/trtmpl_nope", "{\"name\":\"x\",\"transformation\":\"{}\"}"), 404, "not_found");

        connectors().delete("slack");
        assertThatThrownBy(() -> connectors().get(made.getId()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
        assertThat(connectors().list().getData()).extracting(c -> c.getName()).containsExactlyInAnyOrder("Plain", "Teams");
    }

    @Test
    void bad_connectors_are_a_422_at_the_field_and_nothing_is_stored() {
        String base = "/api/v1/connector";
        // Svix's connectors are JavaScript; Herald's are templates
        Problems.assertInvalid(herald.api.post(base, "{\"name\":\"js\",\"transformation\":\"function handler(webhook) { return webhook; }\"}"),
                "body", "transformation");
        Problems.assertInvalid(herald.api.post(base, "{\"name\":\"h\",\"transformation\":\"{\\\"headers\\\":{\\\"webhook-signature\\\":\\\"x\\\"}}\"}"),
                "body", "transformation");
        // a fixed URL passes the endpoint URL checks, the address guard too (no packet is sent: it is refused at the check)
        var metadata = herald.api.post(base, "{\"name\":\"m\",\"transformation\":\"{\\\"url\\\":\\\"http://169.254.169.254/latest\\\"}\"}");
        Problems.assertInvalid(metadata, "body", "transformation");
        Problems.assertInvalid(herald.api.post(base, "{\"name\":\"t\",\"transformation\":\"{\\\"body\\\":\\\"{{#payload}}\\\"}\"}"),
                "body", "transformation");
        Problems.assertInvalid(herald.api.post(base, "{\"transformation\":\"{}\"}"), "body", "name");
        Problems.assertInvalid(herald.api.post(base, "{\"name\":\"n\"}"), "body", "transformation");
        Problems.assertInvalid(herald.api.post(base, "{\"name\":\"k\",\"kind\":\"Fax\",\"transformation\":\"{}\"}"), "body", "kind");
        Problems.assertInvalid(herald.api.post(base, "{\"name\":\"s\",\"productType\":\"Stream\",\"transformation\":\"{}\"}"),
                "body", "productType");
        Problems.assertInvalid(herald.api.post(base, "{\"name\":\"l\",\"logo\":\"javascript:alert(1)\",\"transformation\":\"{}\"}"),
                "body", "logo");
        Problems.assertInvalid(herald.api.post(base, "{\"name\":\"a\",\"allowedEventTypes\":[\"no spaces\"],\"transformation\":\"{}\"}"),
                "body", "allowedEventTypes");
        Problems.assertInvalid(herald.api.post(base, "{\"name\":\"u\",\"uid\":\"a b\",\"transformation\":\"{}\"}"), "body", "uid");
        Problems.assertInvalid(herald.api.get(base + "?product_type=Fax"), "query", "product_type");
        assertThat(herald.api.get(base).body().path("data").size()).isZero();

        assertThat(herald.api.post(base, "{\"name\":\"one\",\"uid\":\"same\",\"transformation\":\"{}\"}").status()).isEqualTo(201);
        Problems.assertError(herald.api.post(base, "{\"name\":\"two\",\"uid\":\"same\",\"transformation\":\"{}\"}"), 409, "conflict");
        var patchedBad = herald.api.patch(base + "/same", "{\"transformation\":\"[]\"}");
        Problems.assertInvalid(patchedBad, "body", "transformation");
        assertThat(herald.api.get(base + "/same").text("transformation")).isEqualTo("{}");
    }

    @Test
    void a_change_to_a_connector_deleted_meanwhile_is_a_not_found_not_a_failure() throws Exception {
        var made = connectors().create(slack());
        var store = new dev.herald.store.ConnectorStore(TestDatabase.jdbi());
        var read = store.find(made.getId()).orElseThrow();
        connectors().delete(made.getId());
        // as a PUT or PATCH that read it just before another request deleted it
        assertThatThrownBy(() -> store.update(read)).isInstanceOf(dev.herald.domain.NotFoundException.class);
    }

    @Test
    void nodes_adding_at_once_cannot_pass_the_limit_of_a_thousand() throws Exception {
        var store = new dev.herald.store.ConnectorStore(TestDatabase.jdbi());
        Instant now = clock.instant();
        for (int i = 0; i < ConnectorRoutes.MAX_CONNECTORS - 4; i++) {
            store.insert(new dev.herald.domain.Connector(dev.herald.domain.Ids.next(dev.herald.domain.Ids.CONNECTOR), null, "c" + i,
                    "Custom", null, "", "", null, "{}", null, "Dispatch", now, now, now), ConnectorRoutes.MAX_CONNECTORS);
        }
        // eight at once through the API, four places left: four are made, four refused
        var statuses = dev.herald.testing.AtOnce.run(8, i -> herald.api.post("/api/v1/connector",
                "{\"name\":\"late" + i + "\",\"transformation\":\"{}\"}").status());
        assertThat(statuses).filteredOn(st -> st == 201).hasSize(4);
        assertThat(statuses).filteredOn(st -> st == 409).hasSize(4);
        assertThat(store.all()).hasSize(ConnectorRoutes.MAX_CONNECTORS);
        Problems.assertError(herald.api.post("/api/v1/connector", "{\"name\":\"one more\",\"transformation\":\"{}\"}"),
                409, "limit_reached");
    }

    @Test
    void only_the_admin_token_reaches_them() throws Exception {
        connectors().create(slack());
        String app = svix.getApplication().create(new ApplicationIn().name("connector-tenant")).getId();
        var tenant = herald.api.withToken(herald.api.post("/api/v1/auth/app-portal-access/" + app, "{}").text("token"));
        assertThat(tenant.get("/api/v1/connector").status()).isEqualTo(403);
        assertThat(tenant.get("/api/v1/connector/slack").status()).isEqualTo(403);
        assertThat(tenant.post("/api/v1/connector", "{\"name\":\"x\",\"transformation\":\"{}\"}").status()).isEqualTo(403);
        assertThat(tenant.patch("/api/v1/connector/slack", "{\"name\":\"x\"}").status()).isEqualTo(403);
        assertThat(tenant.delete("/api/v1/connector/slack").status()).isEqualTo(403);
        assertThat(connectors().get("slack").getName()).isEqualTo("Slack");
    }

    @Test
    void the_environment_export_carries_them_and_an_import_replaces_by_uid_or_adds() throws Exception {
        var slack = connectors().create(slack());
        var export = herald.api.post("/api/v1/environment/export", null);
        assertThat(export.body().path("connectors").get(0).path("id").asText()).isEqualTo(slack.getId());
        assertThat(export.body().path("connectors").get(0).path("transformation").asText()).isEqualTo(SLACK);

        connectors().delete(slack.getId());
        // the export imported back restores it (a new id); imported again, it replaces that one rather than adding
        assertThat(herald.api.post("/api/v1/environment/import", export.raw()).status()).isEqualTo(204);
        assertThat(herald.api.post("/api/v1/environment/import", export.raw()).status()).isEqualTo(204);
        var restored = connectors().list().getData();
        assertThat(restored).hasSize(1);
        assertThat(restored.get(0).getUid()).isEqualTo("slack");
        assertThat(restored.get(0).getAllowedEventTypes()).containsExactly("invoice.paid");
        assertThat(restored.get(0).getInstructions()).isEqualTo(slack.getInstructions());

        // without a uid, an import matches by name among those without one
        String unnamed = "{\"connectors\":[{\"name\":\"Discord\",\"kind\":\"Discord\",\"transformation\":\"{}\"}]}";
        assertThat(herald.api.post("/api/v1/environment/import", unnamed).status()).isEqualTo(204);
        assertThat(herald.api.post("/api/v1/environment/import", unnamed.replace("{}", "{\\\"method\\\":\\\"PUT\\\"}")).status())
                .isEqualTo(204);
        var discord = connectors().list().getData().stream().filter(c -> c.getName().equals("Discord")).toList();
        assertThat(discord).hasSize(1);
        assertThat(discord.get(0).getTransformation()).isEqualTo("{\"method\":\"PUT\"}");
        Problems.assertInvalid(herald.api.post("/api/v1/environment/import",
                "{\"connectors\":[{\"name\":\"A\",\"uid\":\"a\",\"transformation\":\"{}\"},{\"name\":\"B\",\"uid\":\"a\",\"transformation\":\"{}\"}]}"),
                "body", "connectors", "[1]", "uid");
        assertThat(connectors().list().getData()).hasSize(2);
    }
}
