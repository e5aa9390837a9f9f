package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.Ids;
import dev.herald.testing.TestDatabase;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An endpoint's stats read only its deliveries of the window's messages, through an index bounded by message id: they
 * once read every delivery the endpoint had (0.7 to 1.5 s at a million, whatever the window).
 */
@ExtendWith(TestDatabase.class)
class EndpointStatsPlanTest {
    @Test
    void the_stats_read_the_windows_deliveries_through_an_index_bounded_by_message_id() {
        Instant now = Instant.now();
        TestDatabase.jdbi().useHandle(h -> {
            // 20,000 messages a minute apart (the newest now), each delivered to two endpoints: a day is 1,440 of them
            var batch = h.prepareBatch("""
                    insert into delivery (msg_id, endpoint_id, app_id, status, created_at, updated_at)
                    values (:msg, :endpoint, 'app_plan', :status, now(), now())
                    """);
            for (int i = 0; i < 20_000; i++) {
                String msg = Ids.firstAt(Ids.MESSAGE, now.minusSeconds(60L * i));
                for (String endpoint : new String[] {"ep_plan", "ep_other"}) {
                    batch.bind("msg", msg).bind("endpoint", endpoint).bind("status", i % 3).add();
                }
            }
            batch.execute();
            h.execute("analyze delivery");
        });
        String plan = TestDatabase.jdbi().withHandle(h -> String.join("\n", h.createQuery("explain " + AttemptStore.ENDPOINT_STATS)
                .bind("endpoint", "ep_plan")
                .bind("from", Ids.firstAt(Ids.MESSAGE, now.minusSeconds(86_400)))
                .bind("to", Ids.firstAt(Ids.MESSAGE, now))
                .mapTo(String.class).list()));
        assertThat(plan).as(plan)
                .containsPattern("(Bitmap Index Scan on|Index (Only )?Scan using) delivery_(endpoint|msg)_idx")
                .containsPattern("Index Cond: .*msg_id >= .*msg_id < ")
                .doesNotContain("Seq Scan");
    }
}
