package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A request that writes a row under an application or endpoint which another request deletes while it runs meets the
 * row's foreign key (23503). That is the request's resource gone: a 404, as if it had come a moment later, not a 500.
 * A trigger stands in for the delete landing between the route's lookup and its insert.
 */
@ExtendWith(TestDatabase.class)
class DeletedMeanwhileTest {
    static TestHerald herald;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @AfterEach
    void dropTriggers() {
        TestDatabase.jdbi().useHandle(h -> h.execute("""
                drop trigger if exists herald_test_gone on integration;
                drop trigger if exists herald_test_gone on endpoint_secret;
                drop trigger if exists herald_test_slow on endpoint;
                drop function if exists herald_test_slow();
                drop function if exists herald_test_gone();
                """));
    }

    private static void parentDeletedOnInsertInto(String table) {
        TestDatabase.jdbi().useHandle(h -> h.execute("""
                create or replace function herald_test_gone() returns trigger language plpgsql as $$
                begin
                    raise exception 'insert or update on table %% violates foreign key constraint', tg_table_name
                        using errcode = 'foreign_key_violation';
                end $$;
                create trigger herald_test_gone before insert on %s for each row execute function herald_test_gone();
                """.formatted(table)));
    }

    @Test
    void an_integration_made_as_its_application_is_deleted_is_a_404() {
        String app = herald.api.post("/api/v1/app", json("name", "going")).text("id");
        parentDeletedOnInsertInto("integration");
        var made = herald.api.post("/api/v1/app/" + app + "/integration", json("name", "i"));
        assertThat(made.status()).as(made.raw()).isEqualTo(404);
        assertThat(made.text("code")).isEqualTo("not_found");
    }

    @Test
    void a_secret_rotated_as_its_endpoint_is_deleted_is_a_404() {
        String app = herald.api.post("/api/v1/app", json("name", "going")).text("id");
        String ep = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "https://example.com/hook")).text("id");
        parentDeletedOnInsertInto("endpoint_secret");
        var rotated = herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/secret/rotate", "{}");
        assertThat(rotated.status()).as(rotated.raw()).isEqualTo(404);
        assertThat(rotated.text("code")).isEqualTo("not_found");
    }

    /** Two deletes of one endpoint at once: both found it; the one whose delete found it gone is a 404 (both were 204). */
    @Test
    void of_two_deletes_at_once_one_is_a_404() throws Exception {
        String app = herald.api.post("/api/v1/app", json("name", "twice")).text("id");
        String ep = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/x")).text("id");
        // the first delete holds the row a while, so the second finds it before it goes
        TestDatabase.jdbi().useHandle(h -> h.execute("""
                create function herald_test_slow() returns trigger language plpgsql as $$
                begin perform pg_sleep(0.5); return old; end $$;
                create trigger herald_test_slow before delete on endpoint for each row execute function herald_test_slow();
                """));
        var statuses = dev.herald.testing.AtOnce.run(2, i -> herald.api.delete("/api/v1/app/" + app + "/endpoint/" + ep).status());
        assertThat(statuses).containsExactlyInAnyOrder(204, 404);
    }
}
