package dev.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.domain.BackgroundTask;
import dev.herald.domain.Ids;
import dev.herald.store.BackgroundTaskStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/background-task}: the tasks recover, replay, purge and usage statistics answer with, in Svix's shapes.
 * A task runs in the background and is recorded as it goes: running, then finished or failed. An application-scoped
 * token sees its own application's tasks only.
 */
public final class BackgroundTaskRoutes {
    private static final Set<String> STATUSES = Set.of("running", "finished", "failed");
    private static final Set<String> TASKS = Set.of("endpoint.replay", "endpoint.recover", "application.stats",
            "message.broadcast", "sdk.generate", "event-type.aggregate", "application.purge_content", "endpoint.bulk-replay");

    /** How long a request waits for its task: most end well within it, and the answer then says finished. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(2);
    /**
     * Tasks doing their work at once on a node; the others wait their turn holding nothing. Each working task holds a
     * connection of the general pool (10 at least), and recoveries and replays of one endpoint queue on its lock
     * inside a transaction: a hundred bulk-replays at once held every connection, and every tenant's API and portal
     * requests failed after the pool's wait.
     */
    static final int MAX_WORKING = 4;
    /**
     * Of those, the most one application's tasks take (by stripes of applications: two may share one): a tenant's
     * hundred bulk-replays wait behind each other, not in front of every other tenant's recover.
     */
    static final int MAX_WORKING_PER_APP = 2;
    static final int APP_STRIPES = 64;
    private static final Logger log = LoggerFactory.getLogger(BackgroundTaskRoutes.class);

    private final BackgroundTaskStore tasks;
    private final Clock clock;
    private final Duration answerWithin;
    private final Duration beatEvery;
    private final OperationalEvents events;
    private final java.util.concurrent.Semaphore working = new java.util.concurrent.Semaphore(MAX_WORKING, true);
    private final java.util.concurrent.Semaphore[] workingOfApps = java.util.stream.Stream
            .generate(() -> new java.util.concurrent.Semaphore(MAX_WORKING_PER_APP, true))
            .limit(APP_STRIPES).toArray(java.util.concurrent.Semaphore[]::new);

    public BackgroundTaskRoutes(BackgroundTaskStore tasks, Clock clock, OperationalEvents events) {
        this(tasks, clock, ANSWER_WITHIN, BEAT_EVERY, events);
    }

    BackgroundTaskRoutes(BackgroundTaskStore tasks, Clock clock, Duration answerWithin, OperationalEvents events) {
        this(tasks, clock, answerWithin, BEAT_EVERY, events);
    }

    BackgroundTaskRoutes(BackgroundTaskStore tasks, Clock clock, Duration answerWithin, Duration beatEvery, OperationalEvents events) {
        this.tasks = tasks;
        this.clock = clock;
        this.answerWithin = answerWithin;
        this.beatEvery = beatEvery;
        this.events = events;
    }

    /**
     * The node says its task still runs this often, whatever the work does: a single long statement (a usage count
     * allowed 30 minutes) calls no heartbeat, and its task was marked lost while it ran. Well under
     * {@link dev.herald.store.RetentionStore#TASK_LOST_AFTER}.
     */
    static final Duration BEAT_EVERY = Duration.ofMinutes(1);

    /** What starting a task answers (Svix's ReplayOut, RecoverOut, ExpungeAllContentsOut). */
    public record TaskOut(String id, String status, String task, Instant updatedAt) {}

    /** Svix's BackgroundTaskOut: the task and its figures. */
    public record BackgroundTaskOut(JsonNode data, String id, String status, String task, Instant updatedAt) {
        static BackgroundTaskOut of(BackgroundTask t) {
            // parsed, not passed on raw: jsonb's text has a space after every colon and comma, unlike every other answer
            return new BackgroundTaskOut(readData(t.dataJson()), t.id(), t.status(), t.task(), t.updatedAt());
        }

        private static JsonNode readData(String json) {
            try {
                return Json.MAPPER.readTree(json);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("a task's stored figures are JSON", e);
            }
        }
    }

    public void register(RoutesConfig routes) {
        routes.get("/api/v1/background-task", this::list);
        routes.get("/api/v1/background-task/{task_id}", this::get);
    }

    /** A running task's work: its figures once done. {@code heartbeat} says it is still going (call it per page). */
    interface Work {
        Map<String, Object> run(Runnable heartbeat);
    }

    /**
     * Runs a task of {@code appId} (null: of the whole environment) on a virtual thread and answers how it stands after at most {@link #ANSWER_WITHIN}:
     * a small task has finished by then (its figures are in its record), a large one goes on and is polled. A task
     * whose node dies is marked failed once its heartbeat is {@link dev.herald.store.RetentionStore#TASK_LOST_AFTER}
     * old.
     */
    TaskOut run(String appId, String task, Map<String, Object> input, Work work) {
        Instant now = clock.instant();
        var record = new BackgroundTask(Ids.next(Ids.TASK, now), appId, task, BackgroundTask.RUNNING, json(input), now, now);
        tasks.insert(record);
        var done = new CompletableFuture<Ended>();
        Thread.ofVirtual().name("herald-task-beat-" + record.id()).start(() -> beatUntil(record.id(), done));
        Thread.ofVirtual().name("herald-task-" + record.id()).start(() -> {
            String status = BackgroundTask.FINISHED;
            var data = new LinkedHashMap<>(input);
            // the environment's tasks (no application) are the operator's: they wait for the node's turn only
            var ofApp = appId == null ? null : workingOfApps[Math.floorMod(appId.hashCode(), APP_STRIPES)];
            try {
                if (ofApp != null) ofApp.acquire();
                try {
                    working.acquire();
                    try {
                        data.putAll(work.run(() -> tasks.heartbeat(record.id(), clock.instant())));
                    } finally {
                        working.release();
                    }
                } finally {
                    if (ofApp != null) ofApp.release();
                }
            } catch (InterruptedException e) {
                status = BackgroundTask.FAILED;
                data.put("error", "interrupted before it ran");
            } catch (RuntimeException | Error e) {
                status = BackgroundTask.FAILED;
                data.put("error", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                log.warn("background task {} ({}) failed: {}", record.id(), task, e.toString());
            }
            Instant endedAt = clock.instant();
            try {
                tasks.end(record.id(), status, json(data), endedAt);
            } catch (RuntimeException e) {
                log.warn("could not record the end of background task {}: {}", record.id(), e.toString());
            }
            done.complete(new Ended(status, endedAt));
            events.emit("background_task.finished", finished(record, status, data));
        });
        try {
            // the time the end was recorded with: the task read back later shows the same
            Ended ended = done.get(answerWithin.toMillis(), TimeUnit.MILLISECONDS);
            return new TaskOut(record.id(), ended.status(), task, ended.at());
        } catch (TimeoutException e) {
            return new TaskOut(record.id(), BackgroundTask.RUNNING, task, now);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TaskOut(record.id(), BackgroundTask.RUNNING, task, now);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** How a task ended, and the time its record says so. */
    private record Ended(String status, Instant at) {}

    private void beatUntil(String taskId, CompletableFuture<Ended> done) {
        while (true) {
            try {
                done.get(beatEvery.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException stillRunning) {
                try {
                    tasks.heartbeat(taskId, clock.instant());
                } catch (RuntimeException e) {
                    log.debug("heartbeat of background task {} not written: {}", taskId, e.toString()); // the next one may be
                }
            } catch (InterruptedException | ExecutionException e) {
                return;
            }
        }
    }

    /** Svix's BackgroundTaskFinishedEvent2 ({@code appId} too, for the operational endpoints' choice of events). */
    private static Map<String, Object> finished(BackgroundTask task, String status, Map<String, Object> data) {
        var event = new LinkedHashMap<String, Object>();
        event.put("taskId", task.id());
        event.put("task", task.task());
        event.put("status", status);
        event.put("data", data);
        if (task.appId() != null) event.put("appId", task.appId());
        return event;
    }

    private static String json(Map<String, Object> data) {
        return Json.MAPPER.valueToTree(data).toString();
    }

    void get(Context ctx) {
        String id = ctx.pathParam("task_id");
        var task = find(id, Auth.principal(ctx).appId()).orElseThrow(() -> ApiException.notFound("Background task"));
        ctx.json(BackgroundTaskOut.of(task));
    }

    /** A task of {@code appId} (null: any), with the figures it recorded. */
    public java.util.Optional<BackgroundTask> find(String id, String appId) {
        return tasks.find(id, appId);
    }

    void list(Context ctx) {
        var page = Lists.request(ctx, true, Ids.TASK);
        String status = oneOf(ctx, "status", STATUSES);
        String task = oneOf(ctx, "task", TASKS);
        ctx.json(Lists.response(tasks.list(Auth.principal(ctx).appId(), page, status, task), BackgroundTaskOut::of));
    }

    private static String oneOf(Context ctx, String name, Set<String> allowed) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty()) return null;
        if (!allowed.contains(value)) throw ValidationException.query(name, name + " must be one of " + String.join(", ", allowed.stream().sorted().toList()));
        return value;
    }
}
