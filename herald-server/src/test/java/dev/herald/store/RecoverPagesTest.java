package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.DeliveryStatus;
import dev.herald.domain.Endpoint;
import dev.herald.security.SecretBox;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Svix's recover against the real database, over more failed deliveries than one page: it once read every failed
 * message id of the window into memory and queued each in a transaction of its own (100,000 took 127 s on a node),
 * and two recoveries at once queued each message twice.
 */
@ExtendWith(TestDatabase.class)
class RecoverPagesTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant SINCE = NOW.minusSeconds(3600);
    private static final int MESSAGES = 2_345;

    private final Jdbi jdbi = TestDatabase.jdbi();
    private final MessageStore messages = new MessageStore(jdbi, TestDatabase.hotPathJdbi());
    private Endpoint endpoint;

    /** The ids recover must queue, in order, after {@link #seed}. */
    private final List<String> expected = new ArrayList<>();
    /** How many rows the window's query finds (the expected ones and the expired ones), which sets the pages. */
    private int found;

    @BeforeEach
    void seed() {
        jdbi.useHandle(h -> {
            h.execute("insert into application (id, name, created_at, updated_at) values ('app_1', 'A', now(), now())");
            h.execute("insert into endpoint (id, app_id, url, created_at, updated_at) values "
                    + "('ep_1', 'app_1', 'http://127.0.0.1/', now(), now()), ('ep_2', 'app_1', 'http://127.0.0.1/', now(), now())");
            var message = h.prepareBatch("""
                    insert into message (id, app_id, event_type, payload, created_at)
                    values (:id, 'app_1', 'invoice.paid', :payload, :at)
                    """);
            var delivery = h.prepareBatch("""
                    insert into delivery (msg_id, endpoint_id, app_id, status, attempt_count, created_at, updated_at)
                    values (:msg, :endpoint, 'app_1', :status, 1, :at, :at)
                    """);
            for (int i = 0; i < MESSAGES; i++) {
                String id = "msg_%05d".formatted(i);
                boolean expired = i % 13 == 0;
                boolean early = i % 11 == 0;        // failed before the window
                boolean succeeded = i % 10 == 0;    // failed, then a later delivery succeeded
                boolean pending = i % 7 == 0;       // failed, and a delivery is queued again
                Instant failedAt = early ? SINCE.minusSeconds(60) : SINCE.plusSeconds(i % 3000);
                message.bind("id", id).bind("payload", expired ? null : "{}").bind("at", failedAt).add();
                delivery.bind("msg", id).bind("endpoint", "ep_1").bind("status", DeliveryStatus.FAIL).bind("at", failedAt).add();
                if (i % 5 == 0) { // failed twice: still one recovery
                    delivery.bind("msg", id).bind("endpoint", "ep_1").bind("status", DeliveryStatus.FAIL).bind("at", failedAt).add();
                }
                if (succeeded) delivery.bind("msg", id).bind("endpoint", "ep_1").bind("status", DeliveryStatus.SUCCESS).bind("at", NOW).add();
                if (pending) delivery.bind("msg", id).bind("endpoint", "ep_1").bind("status", DeliveryStatus.PENDING).bind("at", NOW).add();
                // the other endpoint's failures are its own
                delivery.bind("msg", id).bind("endpoint", "ep_2").bind("status", DeliveryStatus.FAIL).bind("at", failedAt).add();
                if (early || succeeded || pending) continue;
                found++;
                if (!expired) expected.add(id);
            }
            message.execute();
            delivery.execute();
        });
        var box = new SecretBox(Base64.getDecoder().decode(TestHerald.ENCRYPTION_KEY), List.of());
        endpoint = new EndpointStore(jdbi, box).find("app_1", "ep_1").orElseThrow();
    }

    private List<String> manualDeliveries(String endpointId) {
        return jdbi.withHandle(h -> h.createQuery("""
                select msg_id from delivery where endpoint_id = :endpoint and trigger_type = :manual order by msg_id
                """).bind("endpoint", endpointId).bind("manual", DeliveryStatus.TRIGGER_MANUAL).mapTo(String.class).list());
    }

    @Test
    void every_failed_message_of_the_window_is_queued_once_a_page_at_a_time() {
        assertThat(found).as("the seed spans several pages").isGreaterThan(MessageStore.MANUAL_PAGE);
        var pages = new AtomicInteger();

        int queued = messages.recover(endpoint, SINCE, null, NOW, pages::incrementAndGet);

        assertThat(queued).isEqualTo(expected.size());
        assertThat(manualDeliveries("ep_1")).containsExactlyElementsOf(expected);
        assertThat(manualDeliveries("ep_2")).isEmpty();
        assertThat(pages.get()).isEqualTo(found / MessageStore.MANUAL_PAGE);
        int queueRows = jdbi.withHandle(h -> h.createQuery("select count(*) from delivery_queue where endpoint_id = 'ep_1'")
                .mapTo(Integer.class).one());
        assertThat(queueRows).as("each queued delivery is in the work queue").isEqualTo(expected.size());

        assertThat(messages.recover(endpoint, SINCE, null, NOW, () -> {})).as("what is queued is not failed").isZero();
    }

    @Test
    void until_bounds_the_window() {
        Instant until = SINCE.plusSeconds(1000);
        var inWindow = jdbi.withHandle(h -> h.createQuery("""
                select distinct d.msg_id from delivery d where d.endpoint_id = 'ep_1' and d.created_at < :until
                """).bind("until", until).mapTo(String.class).set());

        int queued = messages.recover(endpoint, SINCE, until, NOW, () -> {});

        var wanted = expected.stream().filter(inWindow::contains).toList();
        assertThat(wanted).isNotEmpty().hasSizeLessThan(expected.size());
        assertThat(queued).isEqualTo(wanted.size());
        assertThat(manualDeliveries("ep_1")).containsExactlyElementsOf(wanted);
    }

    @Test
    void two_recoveries_at_once_queue_each_message_once() throws Exception {
        try (var pool = Executors.newFixedThreadPool(2)) {
            Callable<Integer> recover = () -> messages.recover(endpoint, SINCE, null, NOW, () -> {});
            var first = pool.submit(recover);
            var second = pool.submit(recover);
            assertThat(first.get() + second.get()).isEqualTo(expected.size());
        }
        assertThat(manualDeliveries("ep_1")).containsExactlyElementsOf(expected);
    }
}
