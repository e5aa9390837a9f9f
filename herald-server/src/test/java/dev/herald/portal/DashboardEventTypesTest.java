package dev.herald.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The dashboard's event catalog: types added, edited and archived in the operator's forms, through the API's checks. */
@ExtendWith(TestDatabase.class)
class DashboardEventTypesTest {
    static final String SCHEMA = "{\"1\": {\"type\": \"object\", \"required\": [\"invoice\"]}}";
    static TestHerald herald;
    PortalBrowser operator;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void signedIn() {
        operator = PortalBrowser.dashboardSignedIn(herald);
    }

    private static Map<String, String> form(String name, String schemas, boolean validate) {
        var form = new HashMap<String, String>();
        form.put("name", name);
        form.put("description", "An invoice was paid");
        form.put("groupName", "invoices");
        form.put("featureFlags", "");
        form.put("schemas", schemas);
        if (validate) form.put("validatePayloads", "on");
        return form;
    }

    @Test
    void the_operator_adds_edits_and_archives_an_event_type() {
        assertThat(operator.get("/dashboard/event-types").body()).contains("No event types yet");

        var notJson = operator.post("/dashboard/event-types", form("invoice.paid", "{\"1\": ", false));
        assertThat(notJson.status()).isEqualTo(422);
        assertThat(notJson.body()).contains("The schemas are not JSON");
        var badSchema = operator.post("/dashboard/event-types", form("invoice.paid", "{\"1\": {\"type\": \"nonsense\"}}", false));
        assertThat(badSchema.status()).isEqualTo(422);
        assertThat(badSchema.body()).contains("field-error");
        var badName = operator.post("/dashboard/event-types", form("no spaces", "", false));
        assertThat(badName.status()).isEqualTo(422);
        assertThat(herald.api.get("/api/v1/event-type").body().path("data").size()).as("nothing stored").isZero();

        assertThat(operator.post("/dashboard/event-types", form("invoice.paid", SCHEMA, true)).status()).isEqualTo(201);
        var stored = herald.api.get("/api/v1/event-type/invoice.paid").body();
        assertThat(stored.path("groupName").asText()).isEqualTo("invoices");
        assertThat(stored.path("schemas").path("1").path("required").get(0).asText()).isEqualTo("invoice");
        assertThat(stored.path("validatePayloads").asBoolean()).isTrue();
        String app = herald.api.post("/api/v1/app", "{\"name\":\"a\"}").text("id");
        assertThat(herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"invoice.paid\",\"payload\":{}}").status())
                .as("the schema the form gave is enforced").isEqualTo(422);

        assertThat(operator.get("/dashboard/event-types/invoice.paid").body()).contains("An invoice was paid").contains("required");
        var edit = form("", "", false);
        edit.put("description", "Paid, edited");
        edit.put("featureFlags", "beta, billing");
        assertThat(operator.post("/dashboard/event-types/invoice.paid", edit).status()).isEqualTo(204);
        var edited = herald.api.get("/api/v1/event-type/invoice.paid").body();
        assertThat(edited.path("description").asText()).isEqualTo("Paid, edited");
        assertThat(edited.path("featureFlags").toString()).isEqualTo("[\"beta\",\"billing\"]");
        assertThat(edited.path("schemas").isObject()).as("emptied: no schema").isFalse();
        assertThat(edited.path("validatePayloads").asBoolean()).isFalse();

        assertThat(operator.post("/dashboard/event-types/invoice.paid/archive", Map.of()).status()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/event-type/invoice.paid").body().path("archived").asBoolean()).isTrue();
        assertThat(operator.get("/dashboard/event-types/invoice.paid").body()).contains("Unarchive");
        // an edit of an archived type keeps it archived
        assertThat(operator.post("/dashboard/event-types/invoice.paid", edit).status()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/event-type/invoice.paid").body().path("archived").asBoolean()).isTrue();
        assertThat(operator.post("/dashboard/event-types/invoice.paid/unarchive", Map.of()).status()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/event-type/invoice.paid").body().path("archived").asBoolean()).isFalse();
        assertThat(operator.get("/dashboard/event-types/no.such").status()).isEqualTo(404);
    }

    @Test
    void only_a_signed_in_operator_and_only_from_the_pages() {
        var stranger = new PortalBrowser(herald.baseUrl(), DashboardRoutes.COOKIE);
        assertThat(stranger.get("/dashboard/event-types").status()).isEqualTo(401);
        assertThat(stranger.post("/dashboard/event-types", form("x.y", "", false)).status()).isEqualTo(401);
        assertThat(operator.post("/dashboard/event-types", form("x.y", "", false), false).status()).isEqualTo(403);
        assertThat(herald.api.get("/api/v1/event-type").body().path("data").size()).isZero();
    }
}
