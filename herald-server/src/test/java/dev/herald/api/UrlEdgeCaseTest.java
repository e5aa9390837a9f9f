package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Endpoint URL edge cases: what is refused, and how internationalized hosts are stored. */
@ExtendWith(TestDatabase.class)
class UrlEdgeCaseTest {
    static TestHerald herald;
    String app;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @org.junit.jupiter.api.BeforeEach
    void app() {
        app = herald.api.post("/api/v1/app", json("name", "urls")).text("id");
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://example.com/#fragment", "https://exa mple.com/", "https://example.com/\tx", "https://example.com/\nx",
            "https://user@example.com/", "https://:pw@example.com/", "gopher://example.com/", "data:text/plain,hi",
            "//example.com/", "https://example.com:65536/", "https://ex\u0000ample.com/", "https://bücher..example/",
            "https://[::1/", "https://exam<ple.com/", "https://example.com/\u007f"})
    void refuses_with_422(String url) {
        var response = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", url));
        assertThat(response.status()).as(url + " → " + response).isEqualTo(422);
        assertThat(response.body().path("detail").get(0).path("loc").get(1).asText()).isEqualTo("url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://example.com:8443/hooks?x=1&y=2", "http://example.com/a/b/c", "https://EXAMPLE.com/Path",
            "https://example.com", "https://sub.domain.example.co.uk:443/x"})
    void accepts_ordinary_urls_as_given(String url) {
        var response = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", url));
        assertThat(response.status()).as(url + " → " + response).isEqualTo(201);
        assertThat(response.text("url")).isEqualTo(url);
    }

    @Test
    void stores_an_internationalized_host_in_its_ascii_form() {
        var response = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "https://bücher.example:8443/hook?q=ü"));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        assertThat(response.text("url")).isEqualTo("https://xn--bcher-kva.example:8443/hook?q=ü");
    }
}
