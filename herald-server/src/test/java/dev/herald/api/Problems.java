package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.ApiClient.Response;
import java.util.ArrayList;
import java.util.List;

/** Assertions on Herald's error bodies: Svix's {"code","detail"} and the 422 {"detail":[{loc,msg,type}]}. */
final class Problems {
    private Problems() {}

    /** A 422 with one item whose {@code loc} is exactly {@code loc}, each item well formed. */
    static void assertInvalid(Response response, String... loc) {
        assertThat(response.status()).as("status of %s", response).isEqualTo(422);
        JsonNode detail = response.body().path("detail");
        assertThat(detail.isArray()).as("detail is a list: %s", response).isTrue();
        List<List<String>> locs = new ArrayList<>();
        for (JsonNode item : detail) {
            assertThat(item.path("msg").isTextual()).as("msg of %s", item).isTrue();
            assertThat(item.path("type").isTextual()).as("type of %s", item).isTrue();
            List<String> l = new ArrayList<>();
            item.path("loc").forEach(n -> l.add(n.asText()));
            locs.add(l);
        }
        assertThat(locs).as("locs of %s", response).contains(List.of(loc));
        assertNoStackTrace(response);
    }

    /** A {"code","detail"} error with this status and code. */
    static void assertError(Response response, int status, String code) {
        assertThat(response.status()).as("status of %s", response).isEqualTo(status);
        assertThat(response.text("code")).as("code of %s", response).isEqualTo(code);
        assertThat(response.body().path("detail").isTextual()).as("detail of %s", response).isTrue();
        assertThat(response.raw()).as("Svix's field order, the same in every run").startsWith("{\"code\":");
        assertNoStackTrace(response);
    }

    static void assertNoStackTrace(Response response) {
        assertThat(response.raw()).doesNotContain("at dev.herald", "Exception", "at java.", "PSQL", "jdbi");
    }
}
