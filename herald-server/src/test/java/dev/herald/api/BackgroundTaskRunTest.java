package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.BackgroundTask;
import dev.herald.store.BackgroundTaskStore;
import dev.herald.store.RetentionStore;
import dev.herald.testing.MutableClock;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Background tasks on the real database: answered running or finished, ended as they end, and lost ones marked. */
@ExtendWith(TestDatabase.class)
class BackgroundTaskRunTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));
    final BackgroundTaskStore store = new BackgroundTaskStore(TestDatabase.jdbi());

    private String app() {
        String id = "app_" + System.nanoTime();
        TestDatabase.jdbi().useHandle(h -> h.execute(
                "insert into application (id, name, created_at, updated_at) values (?, 'tasks', now(), now())", id));
        return id;
    }

    private BackgroundTask stored(String id) {
        return store.find(id, null).orElseThrow();
    }

    @Test
    void a_quick_task_is_answered_finished_and_a_long_one_running_until_it_ends() throws Exception {
        String app = app();
        var events = new java.util.concurrent.CopyOnWriteArrayList<Map<String, Object>>();
        OperationalEvents raised = (type, data) -> {
            assertThat(type).isEqualTo("background_task.finished");
            events.add(data);
        };
        // the quick task is answered as soon as it ends: a wait of its own, long enough for a loaded host's commit
        var quickRoutes = new BackgroundTaskRoutes(store, clock, Duration.ofSeconds(10), raised);
        var routes = new BackgroundTaskRoutes(store, clock, Duration.ofMillis(200), raised);

        var quick = quickRoutes.run(app, BackgroundTask.ENDPOINT_REPLAY, Map.of("endpointId", "ep_1"), beat -> Map.of("messagesQueued", 3));
        assertThat(quick.status()).isEqualTo("finished");
        assertThat(stored(quick.id()).dataJson()).isEqualTo("{\"endpointId\": \"ep_1\", \"messagesQueued\": 3}");

        var release = new CountDownLatch(1);
        var slow = routes.run(app, BackgroundTask.ENDPOINT_RECOVER, Map.of(), beat -> {
            beat.run();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return Map.of("messagesQueued", 7);
        });
        assertThat(slow.status()).isEqualTo("running");
        assertThat(stored(slow.id()).status()).isEqualTo("running");
        release.countDown();
        Receiver.await(Duration.ofSeconds(10), () -> stored(slow.id()).status().equals("finished"), "the task to end");
        assertThat(stored(slow.id()).dataJson()).contains("\"messagesQueued\": 7");
        // each end raised background_task.finished, as Svix's operational webhook
        Receiver.await(Duration.ofSeconds(10), () -> events.size() == 2, "two background_task.finished events");
        assertThat(events).extracting(e -> e.get("taskId")).containsExactlyInAnyOrder(quick.id(), slow.id());
        var quickEvent = events.stream().filter(e -> e.get("taskId").equals(quick.id())).findFirst().orElseThrow();
        assertThat(quickEvent).containsEntry("task", BackgroundTask.ENDPOINT_REPLAY).containsEntry("status", "finished")
                .containsEntry("appId", app);
        assertThat(quickEvent.get("data")).isEqualTo(Map.of("endpointId", "ep_1", "messagesQueued", 3));
    }

    /** An application whose tasks fall in another stripe than {@code other}'s (two may share one, by design). */
    private String appApartFrom(String... others) {
        while (true) {
            String app = app();
            boolean apart = java.util.Arrays.stream(others).noneMatch(o -> Math.floorMod(o.hashCode(), BackgroundTaskRoutes.APP_STRIPES)
                    == Math.floorMod(app.hashCode(), BackgroundTaskRoutes.APP_STRIPES));
            if (apart) return app;
        }
    }

    /**
     * Each working task holds a connection of the shared pool: a hundred recoveries or bulk-replays at once took them
     * all, and every tenant's requests failed. A node works on a few at once; the rest wait holding nothing, and run.
     */
    @Test
    void a_node_works_on_a_few_tasks_at_once_and_the_others_wait_their_turn() throws Exception {
        var apps = new java.util.ArrayList<String>();
        for (int i = 0; i < 6; i++) apps.add(appApartFrom(apps.toArray(String[]::new)));
        var routes = new BackgroundTaskRoutes(store, clock, Duration.ofMillis(50), (type, data) -> {});
        var release = new CountDownLatch(1);
        var now = new java.util.concurrent.atomic.AtomicInteger();
        var most = new java.util.concurrent.atomic.AtomicInteger();
        var ids = new java.util.ArrayList<String>();
        for (int i = 0; i < 3 * BackgroundTaskRoutes.MAX_WORKING; i++) {
            ids.add(routes.run(apps.get(i % apps.size()), BackgroundTask.ENDPOINT_BULK_REPLAY, Map.of(), beat -> {
                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                } finally {
                    now.decrementAndGet();
                }
                return Map.of("messagesQueued", 1);
            }).id());
        }
        Receiver.await(Duration.ofSeconds(10), () -> now.get() == BackgroundTaskRoutes.MAX_WORKING, "the first tasks to work");
        // each run() above waited 50 ms for its answer: every task had its turn to start before this line
        assertThat(most.get()).isEqualTo(BackgroundTaskRoutes.MAX_WORKING);
        assertThat(ids).allSatisfy(id -> assertThat(stored(id).status()).isEqualTo("running"));
        release.countDown();
        Receiver.await(Duration.ofSeconds(10), () -> ids.stream().allMatch(id -> stored(id).status().equals("finished")),
                "every task to end");
        assertThat(most.get()).isEqualTo(BackgroundTaskRoutes.MAX_WORKING);
    }

    /** One tenant's many tasks take at most two of the node's turns: another tenant's task is not queued behind them. */
    @Test
    void one_application_s_many_tasks_leave_room_for_another_s() throws Exception {
        String busy = app();
        String other = appApartFrom(busy);
        var routes = new BackgroundTaskRoutes(store, clock, Duration.ofMillis(50), (type, data) -> {});
        var release = new CountDownLatch(1);
        var working = new java.util.concurrent.atomic.AtomicInteger();
        var ids = new java.util.ArrayList<String>();
        for (int i = 0; i < 10; i++) {
            ids.add(routes.run(busy, BackgroundTask.ENDPOINT_BULK_REPLAY, Map.of(), beat -> {
                working.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return Map.of("messagesQueued", 1);
            }).id());
        }
        Receiver.await(Duration.ofSeconds(10), () -> working.get() == BackgroundTaskRoutes.MAX_WORKING_PER_APP, "two at work");
        var quick = routes.run(other, BackgroundTask.ENDPOINT_RECOVER, Map.of(), beat -> Map.of("messagesQueued", 0));
        Receiver.await(Duration.ofSeconds(10), () -> stored(quick.id()).status().equals("finished"), "the other tenant's task");
        assertThat(working.get()).as("the busy one's others still wait").isEqualTo(BackgroundTaskRoutes.MAX_WORKING_PER_APP);
        release.countDown();
        Receiver.await(Duration.ofSeconds(10), () -> ids.stream().allMatch(id -> stored(id).status().equals("finished")),
                "every task of the busy one to end");
    }

    @Test
    void a_failing_task_is_recorded_failed_with_its_error() {
        var events = new java.util.concurrent.CopyOnWriteArrayList<Map<String, Object>>();
        var routes = new BackgroundTaskRoutes(store, clock, Duration.ofSeconds(5), (type, data) -> events.add(data));
        var failed = routes.run(app(), BackgroundTask.APPLICATION_PURGE_CONTENT, Map.of(), beat -> {
            throw new IllegalStateException("database gone");
        });
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(stored(failed.id()).dataJson()).contains("database gone");
        Receiver.await(Duration.ofSeconds(10), () -> events.size() == 1, "the background_task.finished event");
        assertThat(events.getFirst()).containsEntry("status", "failed").containsEntry("taskId", failed.id());
    }

    /** A task whose work is one long statement calls no heartbeat; its node beats for it, so no sweep takes it for lost. */
    @Test
    void a_running_task_whose_work_never_beats_is_not_taken_for_lost() throws Exception {
        var routes = new BackgroundTaskRoutes(store, clock, Duration.ofMillis(50), Duration.ofMillis(50), (type, data) -> {});
        var release = new CountDownLatch(1);
        Instant start = clock.instant();
        var long_ = routes.run(app(), BackgroundTask.APPLICATION_STATS, Map.of(), beat -> {
            try {
                release.await(); // as a statement of 30 minutes would: no beat from the work
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return Map.of("appStats", 1);
        });
        assertThat(long_.status()).isEqualTo("running");
        clock.advance(Duration.ofMinutes(11));
        Instant later = clock.instant();
        Receiver.await(Duration.ofSeconds(10), () -> stored(long_.id()).updatedAt().equals(later), "the node's beat at the new time");
        var swept = new RetentionStore(TestDatabase.jdbi()).sweep(clock.instant(), start.minus(Duration.ofDays(30)),
                start.minus(Duration.ofHours(12)));
        assertThat(swept.tasksLost()).isZero();
        assertThat(stored(long_.id()).status()).isEqualTo("running");
        release.countDown();
        Receiver.await(Duration.ofSeconds(10), () -> stored(long_.id()).status().equals("finished"), "the task to end");
    }

    @Test
    void a_task_left_running_by_a_node_that_stopped_is_marked_failed_by_the_sweep() {
        String app = app();
        Instant start = clock.instant();
        store.insert(new BackgroundTask("qtask_lost", app, BackgroundTask.ENDPOINT_REPLAY, "running", "{}", start, start));
        store.insert(new BackgroundTask("qtask_alive", app, BackgroundTask.ENDPOINT_REPLAY, "running", "{}", start, start));
        clock.advance(Duration.ofMinutes(9));
        store.heartbeat("qtask_alive", clock.instant());
        var retention = new RetentionStore(TestDatabase.jdbi());
        clock.advance(Duration.ofMinutes(2)); // the lost one 11 minutes quiet, the other 2
        var swept = retention.sweep(clock.instant(), start.minus(Duration.ofDays(30)), start.minus(Duration.ofHours(12)));
        assertThat(swept.tasksLost()).isEqualTo(1);
        assertThat(stored("qtask_lost").status()).isEqualTo("failed");
        assertThat(stored("qtask_lost").dataJson()).contains("stopped before it ended");
        assertThat(stored("qtask_alive").status()).isEqualTo("running");
    }
}
