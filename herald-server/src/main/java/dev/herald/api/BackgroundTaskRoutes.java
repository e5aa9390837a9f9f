package dev.herald.api;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.herald.domain.BackgroundTask;
import dev.herald.domain.Ids;
import dev.herald.store.BackgroundTaskStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/v1/background-task}: the tasks recover, replay and purge answered with, in Svix's shapes. Herald runs
 * them within their request, so each is recorded once it has finished. An application-scoped token sees its own.
 */
public final class BackgroundTaskRoutes {
    private static final Set<String> STATUSES = Set.of("running", "finished", "failed");
    private static final Set<String> TASKS = Set.of("endpoint.replay", "endpoint.recover", "application.stats",
            "message.broadcast", "sdk.generate", "event-type.aggregate", "application.purge_content", "endpoint.bulk-replay");

    private final BackgroundTaskStore tasks;
    private final Clock clock;

    public BackgroundTaskRoutes(BackgroundTaskStore tasks, Clock clock) {
        this.tasks = tasks;
        this.clock = clock;
    }

    /** What starting a task answers (Svix's ReplayOut, RecoverOut, ExpungeAllContentsOut). */
    public record TaskOut(String id, String status, String task, Instant updatedAt) {}

    /** Svix's BackgroundTaskOut: the task and its figures. */
    public record BackgroundTaskOut(@JsonRawValue String data, String id, String status, String task, Instant updatedAt) {
        static BackgroundTaskOut of(BackgroundTask t) {
            return new BackgroundTaskOut(t.dataJson(), t.id(), t.status(), t.task(), t.updatedAt());
        }
    }

    public void register(RoutesConfig routes) {
        routes.get("/api/v1/background-task", this::list);
        routes.get("/api/v1/background-task/{task_id}", this::get);
    }

    /** Records a task of {@code appId} that has finished with {@code data} as its figures, and what to answer for it. */
    TaskOut finished(String appId, String task, Map<String, Object> data) {
        Instant now = clock.instant();
        var record = new BackgroundTask(Ids.next(Ids.TASK), appId, task, BackgroundTask.FINISHED,
                Json.MAPPER.valueToTree(data).toString(), now, now);
        tasks.insert(record);
        return new TaskOut(record.id(), record.status(), record.task(), record.updatedAt());
    }

    void get(Context ctx) {
        String id = ctx.pathParam("task_id");
        var task = tasks.find(id, Auth.principal(ctx).appId()).orElseThrow(() -> ApiException.notFound("Background task"));
        ctx.json(BackgroundTaskOut.of(task));
    }

    void list(Context ctx) {
        var page = Lists.request(ctx, true);
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
