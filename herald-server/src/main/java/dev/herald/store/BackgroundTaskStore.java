package dev.herald.store;

import static dev.herald.store.JsonColumns.instant;

import dev.herald.domain.BackgroundTask;
import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** The record of each recovery and purge task, for {@code /api/v1/background-task}. */
public final class BackgroundTaskStore {
    private final Jdbi jdbi;

    public BackgroundTaskStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(BackgroundTask task) {
        jdbi.useHandle(h -> h.createUpdate("""
                insert into background_task (id, app_id, task, status, data, created_at, updated_at)
                values (:id, :appId, :task, :status, cast(:dataJson as jsonb), :createdAt, :updatedAt)
                """).bindMethods(task).execute());
    }

    /** The task has ended ({@code finished} or {@code failed}) with these figures. */
    public void end(String id, String status, String dataJson, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("""
                update background_task set status = :status, data = cast(:data as jsonb), updated_at = :now where id = :id
                """).bind("id", id).bind("status", status).bind("data", dataJson).bind("now", now).execute());
    }

    /** The task is still running: a task not heard of for long is taken for lost (see RetentionStore). */
    public void heartbeat(String id, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("update background_task set updated_at = :now where id = :id and status = 'running'")
                .bind("id", id).bind("now", now).execute());
    }

    /** The task, if it exists and belongs to {@code appId} (null: any application's). */
    public Optional<BackgroundTask> find(String id, String appId) {
        return jdbi.withHandle(h -> h.createQuery("""
                select * from background_task where id = :id and (cast(:app as text) is null or app_id = :app)
                """).bind("id", id).bind("app", appId).map(BackgroundTaskStore::map).findOne());
    }

    /** Tasks by id (so by time), of one application or (null) all; {@code status} and {@code task} filter when given. */
    public Page<BackgroundTask> list(String appId, PageRequest page, String status, String task) {
        var rows = jdbi.withHandle(h -> Keyset.apply(h.createQuery("""
                select * from background_task
                where (cast(:app as text) is null or app_id = :app)
                  and (cast(:cursor as text) is null or id <cmp> :cursor)
                  and (cast(:status as text) is null or status = :status)
                  and (cast(:task as text) is null or task = :task)
                order by id <dir>
                limit :limit
                """), page)
                .bind("app", appId).bind("status", status).bind("task", task)
                .map(BackgroundTaskStore::map).list());
        return Keyset.page(rows, page, BackgroundTask::id);
    }

    private static BackgroundTask map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new BackgroundTask(rs.getString("id"), rs.getString("app_id"), rs.getString("task"), rs.getString("status"),
                rs.getString("data"), instant(rs, "created_at"), instant(rs, "updated_at"));
    }
}
