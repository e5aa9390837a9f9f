package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.PageRequest;
import dev.herald.store.AttemptStore.MessageStateFilter;
import dev.herald.testing.TestDatabase;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET …/endpoint/{ep}/msg} reads a page of an endpoint's messages: it must walk the endpoint's deliveries in
 * message order and look each message up by key, whatever the planner's figures say. Joined through the delivery row's
 * application, the planner sorted every message in the table (80 ms a page with 200,000; 220 ms filtered by status);
 * with the figures of 20,000 rows and a status filter it hashes both tables whole.
 */
@ExtendWith(TestDatabase.class)
class EndpointMessagesPlanTest {
    private static String plan(Handle h, Integer status) {
        return String.join("\n", AttemptStore.statesOfEndpoint(h, "explain ", "app_plan", "ep_plan",
                        new PageRequest(250, null, true), new MessageStateFilter(status, null, null, null, null, null))
                .mapTo(String.class).list());
    }

    @Test
    void a_page_of_an_endpoints_messages_walks_its_deliveries_in_order_and_looks_each_message_up_by_key() {
        TestDatabase.jdbi().useHandle(h -> {
            h.execute("""
                    insert into message (id, app_id, event_type, payload, created_at)
                    select 'msg_plan' || lpad(g::text, 8, '0'), 'app_plan', 't', '{}', now() from generate_series(1, 20000) g
                    """);
            h.execute("""
                    insert into delivery (msg_id, endpoint_id, app_id, status, created_at, updated_at)
                    select 'msg_plan' || lpad(g::text, 8, '0'), 'ep_plan', 'app_plan', g % 3, now(), now()
                    from generate_series(1, 20000) g
                    """);
            h.execute("analyze message");
            h.execute("analyze delivery");
        });
        // outside a transaction the statement's "set local" restriction does not hold (PostgreSQL warns and goes on)
        String unrestricted = TestDatabase.jdbi().withHandle(h -> plan(h, 2));
        assertThat(unrestricted).as("the plan these figures lead to unrestricted (what the restriction is for)")
                .contains("Seq Scan on message");

        for (Integer status : new Integer[] {null, 2}) {
            String plan = TestDatabase.jdbi().inTransaction(h -> plan(h, status));
            assertThat(plan).as("status %s:\n%s", status, plan)
                    .containsPattern("Index (Only )?Scan (Backward )?using message_pkey on message m")
                    .doesNotContain("Seq Scan").doesNotContain("Hash").doesNotContain("Sort Key: m.id")
                    .doesNotContainPattern("->  Sort  \\(");
        }
    }
}
