package dev.herald.portal;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The portal offers the whole catalog, not its first page of 250 types. */
@ExtendWith(TestDatabase.class)
class PortalCatalogSizeTest {
    /** The catalog is the whole database's: the types made here would show in other tests' catalogs. */
    @AfterEach
    void leaveNoTypes() {
        TestDatabase.clean();
    }

    @Test
    void a_catalog_of_more_than_one_page_is_offered_whole() {
        try (var herald = TestHerald.start()) {
            int types = 260;
            for (int i = 0; i < types; i++) {
                var made = herald.api.post("/api/v1/event-type", json("name", String.format("big.type%03d", i), "description", "t"));
                assertThat(made.status()).isEqualTo(201);
            }
            String app = herald.api.post("/api/v1/app", json("name", "Big catalog")).text("id");
            var browser = PortalBrowser.signedIn(herald, app, "{}");
            String catalog = browser.get("/portal/" + app + "/event-types").body();
            assertThat(catalog).contains("<strong>big.type000</strong>").contains("<strong>big.type259</strong>");
            String form = browser.get("/portal/" + app + "/endpoints").body();
            assertThat(form).contains("value=\"big.type000\"").contains("value=\"big.type259\"");
        }
    }
}
