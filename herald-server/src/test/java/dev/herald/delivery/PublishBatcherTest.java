package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.Message;
import dev.herald.store.MessageStore;
import dev.herald.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The group-commit writer against the real database: what a request is told once its message is committed. */
@ExtendWith(TestDatabase.class)
class PublishBatcherTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    private final Jdbi jdbi = TestDatabase.jdbi();
    private final MessageStore store = new MessageStore(jdbi, TestDatabase.hotPathJdbi());

    @BeforeEach
    void app_with_an_endpoint() {
        jdbi.useHandle(h -> {
            h.execute("insert into application (id, name, created_at, updated_at) values ('app_1', 'A', now(), now())");
            h.execute("insert into endpoint (id, app_id, url, created_at, updated_at) values ('ep_1', 'app_1', 'http://127.0.0.1/', now(), now())");
        });
    }

    /**
     * A failure after the commit (the hand-over of the leased deliveries, the wake) is not the message's: written again
     * one by one, each message met itself and its request got an error for a message that was stored, which a client
     * would publish again.
     */
    @Test
    void a_failure_after_the_commit_answers_the_message_as_published_once_and_leaves_its_delivery_due() {
        var wakes = new AtomicInteger();
        var failingHandOver = new PublishBatcher.Leases() {
            @Override
            public MessageStore.Lease lease() {
                return new MessageStore.Lease(NOW, NOW.plusSeconds(30));
            }

            @Override
            public void take(MessageStore.Published published) {
                throw new IllegalStateException("the dispatcher could not take the leased deliveries");
            }
        };
        try (var batcher = new PublishBatcher(store, 1, wakes::incrementAndGet, failingHandOver)) {
            var message = new Message("msg_1", "app_1", "invoice.paid", "evt-1", "{}", Set.of(), null, NOW, null,
                    NOW.plusSeconds(3600));

            assertThat(batcher.publish(message, NOW)).isEqualTo(1);
        }
        Integer stored = jdbi.withHandle(h -> h.createQuery("select count(*) from message where id = 'msg_1'")
                .mapTo(Integer.class).one());
        assertThat(stored).isEqualTo(1);
        // written leased to this node, its row comes due when the lease ends: the claims send it then
        List<Instant> due = jdbi.withHandle(h -> h.createQuery("select next_attempt_at from delivery_queue")
                .mapTo(Instant.class).list());
        assertThat(due).containsExactly(NOW.plusSeconds(30));
    }
}
