package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.svix.Svix;
import com.svix.exceptions.ApiException;
import com.svix.internalapi.MessagePollerv2;
import com.svix.internalapi.MessagePollerv2ConsumerPollOptions;
import com.svix.models.AppPortalAccessIn;
import com.svix.models.AppPortalCapability;
import com.svix.models.PollerV2CommitIn;
import com.svix.models.PollerV2MessageOut;
import com.svix.models.PollerV2PollOut;
import com.svix.models.StartingPosition;
import dev.herald.testing.MutableClock;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Svix's second poller consumer, read with the official Java SDK's {@code MessagePollerv2}: a poll leases what it
 * answers, a commit of the last processed offset moves the consumer on, and an uncommitted lease that runs out gives the
 * same messages again. The clock is Herald's, moved by hand.
 */
@ExtendWith(TestDatabase.class)
class PollingLeaseTest {
    static final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T12:00:00Z"));
    static TestHerald herald;
    static Svix svix;
    static MessagePollerv2 pollerv2;
    String app;
    String sink;

    @BeforeAll
    static void start() {
        herald = TestHerald.start(TestHerald.defaultEnv(), clock);
        svix = SvixSdk.client(herald);
        pollerv2 = v2(svix);
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static MessagePollerv2 v2(Svix client) {
        return new com.svix.internalapi.Message(client.getHttpClient()).getPollerv2();
    }

    @BeforeEach
    void anApplicationWithAPoller() {
        herald.api.put("/api/v1/event-type/user.created", json("description", "a user"));
        app = herald.api.post("/api/v1/app", json("name", "Leases")).text("id");
        var created = herald.api.post("/api/v1/app/" + app + "/polling-endpoint", "{}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        sink = created.text("id");
    }

    private List<String> publish(int count) {
        var ids = new ArrayList<String>();
        for (int i = 0; i < count; i++) {
            var sent = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"user.created\",\"payload\":{\"n\":" + i + "}}");
            assertThat(sent.status()).as(sent.raw()).isEqualTo(202);
            ids.add(sent.text("id"));
        }
        return ids;
    }

    private static MessagePollerv2ConsumerPollOptions options(long limit, long leaseMs) {
        var options = new MessagePollerv2ConsumerPollOptions();
        options.setLimit(limit);
        options.setLeaseDurationMs(leaseMs);
        return options;
    }

    private static List<String> ids(PollerV2PollOut out) {
        return out.getData().stream().map(PollerV2MessageOut::getId).toList();
    }

    private static List<Long> offsets(PollerV2PollOut out) {
        return out.getData().stream().map(PollerV2MessageOut::getOffset).toList();
    }

    private void commit(String consumer, long offset) throws Exception {
        pollerv2.consumerCommit(app, sink, consumer, new PollerV2CommitIn().offset(offset));
    }

    private static int status(ThrowingCall call) {
        try {
            call.run();
            return 200;
        } catch (ApiException e) {
            return e.getCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void a_commit_moves_the_consumer_on_and_a_poll_while_leased_is_refused() throws Exception {
        var sent = publish(5);
        var first = pollerv2.consumerPoll(app, sink, "worker", options(3, 10_000));
        assertThat(ids(first)).containsExactlyElementsOf(sent.subList(0, 3));
        assertThat(first.getDone()).isFalse();
        assertThat(offsets(first)).isSorted().doesNotHaveDuplicates();
        assertThat(first.getData().getFirst().getPayload().toString()).contains("n=0");
        assertThat(first.getData().getFirst().getEventType()).isEqualTo("user.created");

        var whileLeased = herald.api.get("/api/v1/app/" + app + "/polling-endpoint/" + sink + "/consumer/worker");
        assertThat(whileLeased.status()).as(whileLeased.raw()).isEqualTo(409);
        assertThat(whileLeased.text("code")).isEqualTo("lease_held");
        assertThat(whileLeased.headers().firstValue("Retry-After")).contains("10");

        commit("worker", offsets(first).getLast());
        var rest = pollerv2.consumerPoll(app, sink, "worker", options(3, 10_000));
        assertThat(ids(rest)).containsExactlyElementsOf(sent.subList(3, 5));
        assertThat(rest.getDone()).isTrue();
        assertThat(offsets(rest).getFirst()).isGreaterThan(offsets(first).getLast());
        commit("worker", offsets(rest).getLast());
        var none = pollerv2.consumerPoll(app, sink, "worker", options(3, 10_000));
        assertThat(none.getData()).isEmpty();
        assertThat(none.getDone()).isTrue();
        // an empty answer takes no lease: what comes next is answered at once
        var later = publish(1);
        assertThat(ids(pollerv2.consumerPoll(app, sink, "worker"))).containsExactlyElementsOf(later);
        // another consumer has its own place, from the poller's first message
        assertThat(ids(pollerv2.consumerPoll(app, sink, "audit", options(10, 10_000)))).hasSize(6);
    }

    @Test
    void an_uncommitted_lease_that_runs_out_gives_the_same_messages_again_with_the_same_offsets() throws Exception {
        var sent = publish(4);
        var leased = pollerv2.consumerPoll(app, sink, "worker", options(4, 5_000));
        assertThat(ids(leased)).containsExactlyElementsOf(sent);
        // a commit of part of the lease moves the place; the lease goes on for the rest
        commit("worker", offsets(leased).get(1));
        assertThat(status(() -> pollerv2.consumerPoll(app, sink, "worker"))).isEqualTo(409);
        clock.advance(Duration.ofMillis(4_999));
        assertThat(status(() -> pollerv2.consumerPoll(app, sink, "worker"))).isEqualTo(409);
        clock.advance(Duration.ofMillis(2));
        var again = pollerv2.consumerPoll(app, sink, "worker", options(10, 5_000));
        assertThat(ids(again)).containsExactlyElementsOf(sent.subList(2, 4));
        assertThat(offsets(again)).containsExactlyElementsOf(offsets(leased).subList(2, 4));
        // a consumer that crashed before committing anything gets the whole page again
        var crashed = pollerv2.consumerPoll(app, sink, "crashes", options(10, 1_000));
        clock.advance(Duration.ofSeconds(2));
        assertThat(pollerv2.consumerPoll(app, sink, "crashes", options(10, 1_000)).getData())
                .usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(crashed.getData());
    }

    @Test
    void commits_are_checked_against_what_the_lease_handed_out() throws Exception {
        publish(3);
        var leased = pollerv2.consumerPoll(app, sink, "worker", options(2, 10_000));
        long last = offsets(leased).getLast();
        String commitPath = "/api/v1/app/" + app + "/polling-endpoint/" + sink + "/consumer/worker/commit";

        var notHandedOut = herald.api.post(commitPath, "{\"offset\":" + (last + 1) + "}");
        assertThat(notHandedOut.status()).as(notHandedOut.raw()).isEqualTo(409);
        assertThat(notHandedOut.text("code")).isEqualTo("offset_not_leased");
        assertThat(herald.api.post(commitPath, "{\"offset\":" + last + "}").status()).isEqualTo(204);
        assertThat(herald.api.post(commitPath, "{\"offset\":" + last + "}").status()).as("sent again").isEqualTo(204);
        assertThat(herald.api.post(commitPath, "{\"offset\":" + offsets(leased).getFirst() + "}").status())
                .as("behind the committed place").isEqualTo(204);
        assertThat(ids(pollerv2.consumerPoll(app, sink, "worker"))).hasSize(1);

        var neverPolled = herald.api.post("/api/v1/app/" + app + "/polling-endpoint/" + sink + "/consumer/new/commit", "{\"offset\":1}");
        assertThat(neverPolled.status()).isEqualTo(409);
        for (String bad : List.of("{}", "{\"offset\":null}", "{\"offset\":-1}", "{\"offset\":\"1\"}", "{\"offset\":1.5}")) {
            var refused = herald.api.post(commitPath, bad);
            assertThat(refused.status()).as(bad).isEqualTo(422);
            assertThat(refused.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"offset\"]");
        }
        String poll = "/api/v1/app/" + app + "/polling-endpoint/" + sink + "/consumer/";
        for (String bad : List.of("x?lease_duration_ms=999", "x?lease_duration_ms=3600001", "x?lease_duration_ms=ten",
                "x?starting_position=middle", "x?limit=0", "bad%20name")) {
            assertThat(herald.api.get(poll + bad).status()).as(bad).isEqualTo(422);
        }
        assertThat(herald.api.get("/api/v1/app/" + app + "/polling-endpoint/poll_missing/consumer/x").status()).isEqualTo(404);
        // nothing refused above changed the consumer's place: once the default lease (30 s) has run out
        clock.advance(Duration.ofSeconds(31));
        assertThat(ids(pollerv2.consumerPoll(app, sink, "worker"))).hasSize(1);
    }

    @Test
    void a_new_consumer_starts_at_the_first_message_or_with_latest_after_the_newest() throws Exception {
        var before = publish(2);
        var latest = new MessagePollerv2ConsumerPollOptions();
        latest.setStartingPosition(StartingPosition.LATEST);
        assertThat(pollerv2.consumerPoll(app, sink, "tail", latest).getData()).isEmpty();
        var after = publish(1);
        assertThat(ids(pollerv2.consumerPoll(app, sink, "tail", latest))).containsExactlyElementsOf(after);
        var earliest = new MessagePollerv2ConsumerPollOptions();
        earliest.setStartingPosition(StartingPosition.EARLIEST);
        assertThat(ids(pollerv2.consumerPoll(app, sink, "head", earliest)))
                .containsExactly(before.get(0), before.get(1), after.getFirst());
    }

    /** An offset's rank part holds a whole publish batch, and offsets fit a JavaScript number for 2^43 transactions. */
    @Test
    void offsets_hold_a_publish_batch_and_fit_a_javascript_number() {
        assertThat(dev.herald.delivery.PublishBatcher.MAX_BATCH).isLessThanOrEqualTo(1 << dev.herald.store.PollerStore.OFFSET_RANK_BITS);
        assertThat((1L << 43) << dev.herald.store.PollerStore.OFFSET_RANK_BITS).isLessThanOrEqualTo(1L << 53);
    }

    /** Messages published in one transaction (a publish batch) have consecutive offsets, also across pages. */
    @Test
    void offsets_go_on_increasing_within_one_transaction_across_pages() throws Exception {
        var ids = oneTransaction(3);
        var first = pollerv2.consumerPoll(app, sink, "worker", options(2, 10_000));
        assertThat(ids(first)).containsExactlyElementsOf(ids.subList(0, 2));
        commit("worker", offsets(first).getLast());
        var second = pollerv2.consumerPoll(app, sink, "worker", options(2, 10_000));
        assertThat(ids(second)).containsExactly(ids.get(2));
        assertThat(offsets(second).getFirst()).isEqualTo(offsets(first).getLast() + 1);
        assertThat(offsets(first).getLast()).isEqualTo(offsets(first).getFirst() + 1);
    }

    private List<String> oneTransaction(int count) {
        var ids = new ArrayList<String>();
        for (int i = 1; i <= count; i++) ids.add("msg_" + String.valueOf(i).repeat(27));
        TestDatabase.jdbi().useTransaction(h -> {
            for (String id : ids) {
                h.createUpdate("insert into message (id, app_id, event_type, payload, created_at) values (:id, :app, 'user.created', '{}', now())")
                        .bind("id", id).bind("app", app).execute();
                h.createUpdate("insert into poll_entry (poller_id, msg_id, created_at) values (:p, :id, now())")
                        .bind("p", sink).bind("id", id).execute();
            }
        });
        return ids;
    }

    /** A publish of message {@code id} to the poller, created at {@code createdAt} (SQL), written and not committed yet. */
    private java.sql.Connection publishHeldOpen(String id, String createdAt) throws java.sql.SQLException {
        var slow = java.sql.DriverManager.getConnection(TestDatabase.jdbcUrl());
        slow.setAutoCommit(false);
        try (var st = slow.createStatement()) {
            st.execute("insert into message (id, app_id, event_type, payload, created_at) values ('" + id + "', '" + app
                    + "', 'user.created', '{\"held\":true}', " + createdAt + ")");
            st.execute("insert into poll_entry (poller_id, msg_id, created_at) values ('" + sink + "', '" + id + "', " + createdAt + ")");
        }
        return slow;
    }

    /** The lease path reads below the same fence: a publish still open holds back what comes after it, never skips it. */
    @Test
    void a_message_committed_late_is_not_passed_over_by_a_leased_consumer() throws Exception {
        String held = "msg_" + "0".repeat(27);
        try (java.sql.Connection slow = publishHeldOpen(held, "now()")) {
            var committed = publish(1);
            var whileHeld = pollerv2.consumerPoll(app, sink, "worker", options(10, 10_000));
            assertThat(whileHeld.getData()).as("nothing past an open transaction").isEmpty();
            slow.commit();
            var after = pollerv2.consumerPoll(app, sink, "worker", options(10, 10_000));
            assertThat(ids(after)).containsExactly(held, committed.getFirst());
        }
    }

    /**
     * A seek places the consumer among settled entries only: a transaction still open when it seeks may commit entries
     * that read before the newest one, and a place past that newest one passed them over for good.
     */
    @Test
    void a_seek_while_a_publish_is_open_does_not_pass_over_what_it_commits() throws Exception {
        String held = "msg_" + "1".repeat(27);
        // created after the seek's time: the seek must read it
        try (java.sql.Connection slow = publishHeldOpen(held, "now() + interval '10 seconds'")) {
            var committed = publish(1);
            String consumer = "/api/v1/app/" + app + "/poller/" + sink + "/consumer/seeker";
            var sought = herald.api.post(consumer + "/seek", "{\"after\":\"" + java.time.Instant.now().plusSeconds(5) + "\"}");
            assertThat(sought.status()).as(sought.raw()).isEqualTo(200);
            slow.commit();
            var read = herald.api.get(consumer).body().path("data");
            // never fewer: the late commit, created after the seek's time, is read (a message created before it may be too)
            assertThat(read.findValuesAsText("id")).as("read after the seek: " + committed).contains(held);
        }
    }

    /**
     * A reader makes a consumer by naming it: a poller keeps at most 1,000, so a key holder naming a new one on every poll
     * cannot grow the table without end; known ones read on, and retention forgets the idle ones.
     */
    @Test
    void a_poller_keeps_a_bounded_number_of_consumers_and_retention_forgets_idle_ones() throws Exception {
        publish(1);
        TestDatabase.jdbi().useHandle(h -> h.createUpdate("""
                insert into poll_consumer (poller_id, consumer_id, xid, seq, updated_at)
                select :p, 'c' || n, '0', 0, :at from generate_series(1, 999) n
                """).bind("p", sink).bind("at", clock.instant()).execute());
        assertThat(ids(pollerv2.consumerPoll(app, sink, "the-thousandth"))).hasSize(1);
        for (String path : List.of("/api/v1/app/" + app + "/polling-endpoint/" + sink + "/consumer/one-too-many",
                "/api/v1/app/" + app + "/poller/" + sink + "/consumer/one-too-many")) {
            var refused = herald.api.get(path);
            assertThat(refused.status()).as(path + " " + refused.raw()).isEqualTo(409);
            assertThat(refused.text("code")).isEqualTo("limit_reached");
        }
        assertThat(herald.api.get("/api/v1/app/" + app + "/poller/" + sink + "/consumer/c7").status()).as("a known one").isEqualTo(200);

        clock.advance(Duration.ofDays(91)); // past the default retention of 90 days
        pollerv2.consumerPoll(app, sink, "c8"); // read now: not idle
        var swept = herald.herald.runRetention();
        assertThat(swept.pollConsumersDeleted()).as("all but the one read since").isEqualTo(999);
        List<String> left = TestDatabase.jdbi().withHandle(h -> h.createQuery("select consumer_id from poll_consumer where poller_id = :p")
                .bind("p", sink).mapTo(String.class).list());
        assertThat(left).containsExactly("c8");
        assertThat(herald.api.get("/api/v1/app/" + app + "/poller/" + sink + "/consumer/one-too-many").status()).isEqualTo(200);
    }

    /** A commit finds its entry by what the lease recorded, not by counting: retention may delete entries meanwhile. */
    @Test
    void a_commit_after_retention_deleted_part_of_the_lease_moves_to_the_right_place() throws Exception {
        var ids = oneTransaction(3);
        var leased = pollerv2.consumerPoll(app, sink, "worker", options(2, 10_000));
        assertThat(ids(leased)).containsExactlyElementsOf(ids.subList(0, 2));
        TestDatabase.jdbi().useHandle(h -> h.execute("delete from poll_entry where msg_id = ?", ids.get(0)));
        commit("worker", offsets(leased).get(1));
        assertThat(ids(pollerv2.consumerPoll(app, sink, "worker"))).containsExactly(ids.get(2));
    }

    @Test
    void a_pollers_key_polls_and_commits_and_a_view_only_token_may_not() throws Exception {
        publish(1);
        String key = herald.api.post("/api/v1/app/" + app + "/polling-endpoint/" + sink + "/key/rotate", "").text("key");
        var byKey = v2(SvixSdk.client(herald, key));
        var leased = byKey.consumerPoll(app, sink, "keyed");
        assertThat(leased.getData()).hasSize(1);
        byKey.consumerCommit(app, sink, "keyed", new PollerV2CommitIn().offset(offsets(leased).getFirst()));
        assertThat(byKey.consumerPoll(app, sink, "keyed").getData()).isEmpty();
        String other = herald.api.post("/api/v1/app/" + app + "/polling-endpoint", "{}").text("id");
        assertThat(status(() -> byKey.consumerPoll(app, other, "keyed"))).as("another poller").isEqualTo(404);

        var in = new AppPortalAccessIn().capabilities(Set.of(AppPortalCapability.VIEW_BASE));
        var viewer = v2(SvixSdk.client(herald, svix.getAuthentication().appPortalAccess(app, in).getToken()));
        // a lease holds the consumer and a commit moves it: a read-only token could lock the application's own
        // consumer out for an hour, or make it skip what it never processed (since session 43)
        assertThat(status(() -> viewer.consumerPoll(app, sink, "keyed"))).isEqualTo(403);
        assertThat(status(() -> viewer.consumerCommit(app, sink, "keyed", new PollerV2CommitIn().offset(1L))))
                .isEqualTo(403);
    }

    /**
     * Eight readers share one consumer, each polling, then committing what it got. A lease is the consumer's alone, so
     * with leases longer than the run every message is handed out exactly once, across readers.
     */
    @Test
    void readers_sharing_a_consumer_never_hold_the_same_messages_at_once() throws Exception {
        var sent = publish(200);
        var handedOut = new ConcurrentHashMap<String, AtomicInteger>();
        var refused = new AtomicInteger();
        try (var pool = Executors.newFixedThreadPool(8)) {
            var readers = new ArrayList<Future<?>>();
            for (int r = 0; r < 8; r++) {
                readers.add(pool.submit(() -> {
                    int emptyInARow = 0;
                    while (emptyInARow < 3) {
                        PollerV2PollOut page;
                        try {
                            page = pollerv2.consumerPoll(app, sink, "shared", options(7, 600_000));
                        } catch (ApiException e) {
                            assertThat(e.getCode()).isEqualTo(409);
                            refused.incrementAndGet();
                            continue;
                        }
                        if (page.getData().isEmpty()) {
                            emptyInARow++;
                            continue;
                        }
                        emptyInARow = 0;
                        for (var m : page.getData()) handedOut.computeIfAbsent(m.getId(), k -> new AtomicInteger()).incrementAndGet();
                        commit("shared", offsets(page).getLast());
                    }
                    return null;
                }));
            }
            for (var reader : readers) reader.get();
        }
        assertThat(handedOut.keySet()).containsExactlyInAnyOrderElementsOf(sent);
        Map<String, Integer> twice = new HashMap<>();
        handedOut.forEach((id, n) -> { if (n.get() > 1) twice.put(id, n.get()); });
        assertThat(twice).as("handed out more than once").isEmpty();
        assertThat(refused.get()).as("readers were turned away while another held the lease").isPositive();
    }
}
