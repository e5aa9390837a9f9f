package dev.herald.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.store.MessageStore;
import dev.herald.testing.TestDatabase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The hot path plans each statement once per connection (a generic plan), so that plan must be the index plan
 * whatever the tables held when it was made. The tables here are freshly emptied, the case that once cached a
 * seq scan and sort which then took 1.4 s per claim as the queue filled.
 */
@ExtendWith(TestDatabase.class)
class HotPathPlanTest {
    private static final Pattern NAMED_PARAMETER = Pattern.compile("(?<![:\\w]):([A-Za-z]\\w*)");

    /**
     * The plan the connection uses for the statement under {@code force_generic_plan}: prepared, then explained
     * with every parameter null (a generic plan does not look at them).
     */
    private static String genericPlan(Handle h, String sql) {
        var numbers = new LinkedHashMap<String, Integer>();
        Matcher m = NAMED_PARAMETER.matcher(sql);
        var positional = new StringBuilder();
        while (m.find()) {
            int n = numbers.computeIfAbsent(m.group(1), k -> numbers.size() + 1);
            m.appendReplacement(positional, "\\$" + n);
        }
        m.appendTail(positional);
        h.execute("prepare plan_under_test as " + positional);
        try {
            String nulls = String.join(", ", java.util.Collections.nCopies(numbers.size(), "null"));
            return String.join("\n", h.createQuery("explain execute plan_under_test(" + nulls + ")").mapTo(String.class).list());
        } finally {
            h.execute("deallocate plan_under_test");
        }
    }

    private static final List<String> WHOLE_TABLE_READS = List.of(
            "Seq Scan on delivery", "Seq Scan on delivery_queue", "Seq Scan on message", "Seq Scan on endpoint ", "Seq Scan on attempt",
            "Seq Scan on application", "Bitmap Heap Scan", "Hash Join", "Merge Join");

    /** Statistics that say the queue is empty, as autovacuum leaves them on a drained queue. */
    @BeforeEach
    void queue_analyzed_while_empty() {
        TestDatabase.jdbi().useHandle(h -> h.execute("analyze delivery, delivery_queue, message, endpoint, endpoint_secret, application, attempt"));
    }

    @Test
    void the_claim_reads_the_due_index_in_order_even_when_planned_on_an_empty_queue() {
        String plan = TestDatabase.hotPathJdbi().withHandle(h -> genericPlan(h, DeliveryQueue.CLAIM));
        assertThat(plan).contains("Index Scan using delivery_queue_due_idx on delivery_queue q")
                .containsPattern("Index Scan using delivery_queue_pkey on delivery_queue q_1 .*\n +Index Cond: \\(delivery_id = ANY");
        assertThat(WHOLE_TABLE_READS).noneMatch(plan::contains);
        // as plain joins these were index scans without a condition under a nested loop: the message table's whole key
        // index read once per claimed row
        assertThat(unkeyedScans(plan)).as("messages, endpoints, applications and secrets looked up by key").isEmpty();
        assertThat(plan).containsPattern("on message m .*\n +Index Cond: .*\\bid = c.msg_id\\)");
        assertThat(plan).as("an ordered endpoint's older rows are looked for in its own part of the ordering index")
                .containsPattern("Index (Only )?Scan using delivery_queue_fifo_idx on delivery_queue o .*\n +Index Cond: .*ROW\\(endpoint_id, delivery_id\\) < ROW\\(q.endpoint_id, q.delivery_id\\).*endpoint_id = q.endpoint_id")
                .doesNotContainPattern("Scan using delivery_queue_pkey on delivery_queue o ");
    }

    /** Index scans of the tables a claim looks things up in with no Index Cond under them: each reads its whole index. */
    private static List<String> unkeyedScans(String plan) {
        String[] lines = plan.split("\n");
        var found = new java.util.ArrayList<String>();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].matches(".*Index (Only )?Scan using \\w+ on (message|endpoint|application|endpoint_secret) .*")
                    && (i + 1 == lines.length || !lines[i + 1].contains("Index Cond"))) {
                found.add(lines[i].trim());
            }
        }
        return found;
    }

    @Test
    void results_find_their_deliveries_and_endpoints_by_key() {
        String plan = TestDatabase.hotPathJdbi().withHandle(h -> genericPlan(h, DeliveryQueue.COMPLETE));
        assertThat(plan).containsPattern("Index Only Scan using delivery_pkey on delivery d .*\n +Index Cond: \\(id = ANY")
                .containsPattern("Index Scan using delivery_queue_pkey on delivery_queue q .*\n +Index Cond: \\(delivery_id = ANY")
                .containsPattern("Index Scan using delivery_queue_pkey on delivery_queue q_1 .*\n +Index Cond: \\(delivery_id = ANY")
                .containsPattern("Index Scan using delivery_pkey on delivery d_1 .*\n +Index Cond: \\(id = ANY")
                // either of endpoint's indexes, keyed by its leading column: the (app_id, id) index by the ids alone
                // is a skip scan, which read all of it (2.2 ms per statement with 20,000 applications, 0.04 keyed)
                .containsPattern("Index Scan using (endpoint_pkey on endpoint e .*\n +Index Cond: \\(id = ANY"
                        + "|endpoint_app_id_idx on endpoint e .*\n +Index Cond: \\(\\(app_id = ANY)");
        assertThat(WHOLE_TABLE_READS).noneMatch(plan::contains);
    }

    @Test
    void ending_the_scheduled_deliveries_of_resent_messages_looks_them_up_by_message() {
        String plan = TestDatabase.hotPathJdbi().withHandle(h -> genericPlan(h, DeliveryQueue.END_SCHEDULED));
        // either index on the pair, keyed by both its columns
        assertThat(plan).containsPattern("Index Scan using delivery_(msg|endpoint)_idx on delivery d_1 .*\n +Index Cond: "
                        + "\\(\\((msg_id = r.msg_id\\) AND \\(endpoint_id = r.endpoint_id|endpoint_id = r.endpoint_id\\) AND \\(msg_id = r.msg_id)\\)\\)")
                .containsPattern("Index Scan using delivery_queue_pkey on delivery_queue q .*\n +Index Cond: \\(delivery_id = ANY")
                .containsPattern("Index Scan using delivery_pkey on delivery d .*\n +Index Cond: \\(id = ANY");
        assertThat(WHOLE_TABLE_READS).noneMatch(plan::contains);
    }

    @Test
    void rows_put_back_are_found_by_key() {
        String plan = TestDatabase.hotPathJdbi().withHandle(h -> genericPlan(h, DeliveryQueue.PUT_BACK));
        assertThat(plan).containsPattern("Index Scan using delivery_queue_pkey on delivery_queue q .*\n +Index Cond: \\(delivery_id = ANY");
        assertThat(WHOLE_TABLE_READS).noneMatch(plan::contains);
    }

    @Test
    void a_publish_reads_its_apps_endpoints_by_app() {
        String plan = TestDatabase.hotPathJdbi().withHandle(h -> genericPlan(h, MessageStore.ENDPOINTS_OF_APPS));
        assertThat(plan).containsPattern("Index Scan using endpoint_app_id_idx on endpoint .*\n +Index Cond: \\(app_id = ANY");
        assertThat(WHOLE_TABLE_READS).noneMatch(plan::contains);
    }

    @Test
    void a_leasing_publish_reads_its_apps_endpoints_and_their_applications_and_secrets_by_key() {
        String plan = TestDatabase.hotPathJdbi().withHandle(h -> genericPlan(h, MessageStore.ENDPOINTS_OF_APPS_TO_SEND));
        assertThat(plan).containsPattern("Index Scan using endpoint_app_id_idx on endpoint e .*\n +Index Cond: \\(app_id = ANY");
        assertThat(WHOLE_TABLE_READS).noneMatch(plan::contains);
        assertThat(unkeyedScans(plan)).as("applications and secrets looked up by key").isEmpty();
    }

    @Test
    void a_publish_writes_its_deliveries_and_queue_rows_reading_no_table_whole() {
        String plan = TestDatabase.hotPathJdbi().withHandle(h -> genericPlan(h, MessageStore.INSERT_DELIVERIES));
        assertThat(plan).contains("Insert on delivery_queue").contains("Insert on delivery ");
        assertThat(WHOLE_TABLE_READS).noneMatch(plan::contains);
    }

    @Test
    void without_the_hot_path_settings_the_same_generic_claim_plan_reads_the_whole_queue() {
        // what the settings guard against: the general pool's session, forced to a generic plan on the empty queue
        String plan = TestDatabase.jdbi().withHandle(h -> {
            h.execute("set plan_cache_mode = force_generic_plan");
            try {
                return genericPlan(h, DeliveryQueue.CLAIM);
            } finally {
                h.execute("reset plan_cache_mode");
            }
        });
        assertThat(plan).contains("Seq Scan on delivery_queue");
    }
}
