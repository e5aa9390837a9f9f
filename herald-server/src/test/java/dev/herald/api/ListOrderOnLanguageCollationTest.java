package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Herald on a database whose default collation is a language's (en-US, as the official PostgreSQL image's
 * en_US.UTF-8 is), not the code-point order the embedded one has: lists still come in id order, which is time order
 * (V19__identifiers_in_byte_order.sql). Under en-US 'a' sorts before 'Z', so without V19 a list of messages published
 * one after another came out of order.
 */
class ListOrderOnLanguageCollationTest {
    private static final String DATABASE = "herald_en_us";
    private static TestHerald herald;

    @BeforeAll
    static void start() throws Exception {
        try (var c = DriverManager.getConnection(TestDatabase.jdbcUrl()); var s = c.createStatement()) {
            s.execute("drop database if exists " + DATABASE + " with (force)");
            s.execute("create database " + DATABASE + " template template0 locale_provider icu icu_locale 'en-US' locale 'C.UTF-8'");
        }
        String url = TestDatabase.jdbcUrl().replace("/postgres?", "/" + DATABASE + "?");
        assertThat(url).contains(DATABASE);
        try (var c = DriverManager.getConnection(url); var s = c.createStatement();
             var r = s.executeQuery("select 'msg_Z' < 'msg_a', 'msg_Z' < 'msg_a' collate \"C\"")) {
            r.next();
            assertThat(r.getBoolean(1)).as("the database's default collation puts a before Z").isFalse();
            assertThat(r.getBoolean(2)).isTrue();
        }
        var env = TestHerald.defaultEnv();
        env.put("HERALD_DATABASE_URL", url);
        herald = TestHerald.start(env, Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        if (herald != null) herald.close();
        try (var c = DriverManager.getConnection(TestDatabase.jdbcUrl()); var s = c.createStatement()) {
            s.execute("drop database if exists " + DATABASE + " with (force)");
        }
    }

    @Test
    void messages_and_applications_are_listed_in_the_order_they_were_made() {
        var apps = new ArrayList<String>();
        for (int i = 0; i < 70; i++) {
            var app = herald.api.post("/api/v1/app", json("name", "App " + i));
            assertThat(app.status()).isEqualTo(201);
            apps.add(app.text("id"));
        }
        var published = new ArrayList<String>();
        for (int i = 0; i < 150; i++) { // ids made within a second differ in their last characters, through 0-9, A-Z, a-z
            var msg = herald.api.post("/api/v1/app/" + apps.get(0) + "/msg", json("eventType", "invoice.paid", "payload", java.util.Map.of("n", i)));
            assertThat(msg.status()).as("%s", msg).isEqualTo(202);
            published.add(msg.text("id"));
        }

        assertThat(Pages.walk(herald.api, "/api/v1/app/" + apps.get(0) + "/msg", 40, "", "id"))
                .as("newest first").containsExactlyElementsOf(published.reversed());
        assertThat(Pages.walk(herald.api, "/api/v1/app", 25, "&order=ascending", "id"))
                .as("oldest first").containsExactlyElementsOf(apps);
        assertThat(List.copyOf(apps)).isSorted(); // the ids' byte order is the order they were made in
    }
}
