package dev.herald.store;

import static dev.herald.store.JsonColumns.instant;
import static dev.herald.store.JsonColumns.nullableLong;
import static dev.herald.store.JsonColumns.stringMap;
import static dev.herald.store.JsonColumns.toJson;

import dev.herald.domain.Application;
import dev.herald.domain.ConflictException;
import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

public final class ApplicationStore {
    private final Jdbi jdbi;

    public ApplicationStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Returns the row as stored (timestamps at PostgreSQL's microsecond precision), so it reads back the same. */
    public Application insert(Application app) {
        try {
            return jdbi.withHandle(h -> h.createQuery("""
                    insert into application (id, uid, name, rate_limit, throttle_rate, metadata, created_at, updated_at)
                    values (:id, :uid, :name, :rateLimit, :throttleRate, cast(:metadata as jsonb), :createdAt, :updatedAt)
                    returning *
                    """)
                    .bindMethods(app)
                    .bind("metadata", toJson(app.metadata()))
                    .map(ApplicationStore::map)
                    .one());
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** Finds by id or, failing that, by uid (Svix accepts either in the path). */
    public Optional<Application> find(String idOrUid) {
        return jdbi.withHandle(h -> h.createQuery("""
                select * from application where id = :key
                union all
                select * from application where uid = :key and id <> :key
                limit 1
                """)
                .bind("key", idOrUid)
                .map(ApplicationStore::map)
                .findOne());
    }

    /** The applications the API shows: all but Herald's own ({@link Application#OPERATIONAL_UID}). */
    public Page<Application> list(PageRequest page) {
        return list(page, Exclusions.NONE);
    }

    /**
     * Svix's filters of the application list: leave out applications with no endpoint, and those whose endpoints are
     * all disabled (an application with none is not one of those).
     */
    public record Exclusions(boolean withoutEndpoints, boolean allEndpointsDisabled) {
        public static final Exclusions NONE = new Exclusions(false, false);
    }

    public Page<Application> list(PageRequest page, Exclusions exclude) {
        var rows = jdbi.withHandle(h -> Keyset.apply(h.createQuery("""
                select * from application a
                where (cast(:cursor as text) is null or id <cmp> :cursor) and uid is distinct from :operational
                  and (not :withoutEndpoints or exists (select 1 from endpoint e where e.app_id = a.id))
                  and (not :allDisabled or not exists (select 1 from endpoint e where e.app_id = a.id)
                       or exists (select 1 from endpoint e where e.app_id = a.id and not e.disabled))
                order by id <dir>
                limit :limit
                """), page)
                .bind("operational", Application.OPERATIONAL_UID)
                .bind("withoutEndpoints", exclude.withoutEndpoints())
                .bind("allDisabled", exclude.allEndpointsDisabled())
                .map(ApplicationStore::map).list());
        return Keyset.page(rows, page, Application::id);
    }

    public Application update(Application app) {
        try {
            return jdbi.withHandle(h -> h.createQuery("""
                    update application
                    set uid = :uid, name = :name, rate_limit = :rateLimit, throttle_rate = :throttleRate,
                        metadata = cast(:metadata as jsonb), updated_at = :updatedAt
                    where id = :id
                    returning *
                    """)
                    .bindMethods(app)
                    .bind("metadata", toJson(app.metadata()))
                    .map(ApplicationStore::map)
                    .findOne())
                    .orElseThrow(() -> new dev.herald.domain.NotFoundException("application"));
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** The fields a PATCH gives: each {@code has…} false leaves its column as it is in the row. */
    public record Patch(String id, boolean hasUid, String uid, boolean hasName, String name, boolean hasRateLimit, Long rateLimit,
                        boolean hasThrottleRate, Long throttleRate, boolean hasMetadata, Map<String, String> metadata,
                        Instant updatedAt) {}

    /**
     * Writes only the fields given, over the row as it is when written (one statement): two PATCHes of different fields
     * at once both land (read, merged and written whole, one undid the other: a rate limit set on one node reverted by
     * a rename on another).
     */
    public Application patch(Patch patch) {
        try {
            return jdbi.withHandle(h -> h.createQuery("""
                    update application
                    set uid = case when :hasUid then :uid else uid end,
                        name = case when :hasName then :name else name end,
                        rate_limit = case when :hasRateLimit then :rateLimit else rate_limit end,
                        throttle_rate = case when :hasThrottleRate then :throttleRate else throttle_rate end,
                        metadata = case when :hasMetadata then cast(:metadata as jsonb) else metadata end,
                        updated_at = :updatedAt
                    where id = :id
                    returning *
                    """)
                    .bindMethods(patch)
                    .bind("metadata", patch.metadata() == null ? toJson(Map.of()) : toJson(patch.metadata()))
                    .map(ApplicationStore::map)
                    .findOne())
                    .orElseThrow(() -> new dev.herald.domain.NotFoundException("application"));
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    public boolean delete(String id) {
        return jdbi.withHandle(h -> h.createUpdate("delete from application where id = :id").bind("id", id).execute()) > 0;
    }

    static RuntimeException translate(RuntimeException e) {
        if (SqlErrors.isUniqueViolation(e)) return new ConflictException("An application with this uid already exists");
        return e;
    }

    static Application map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Application(
                rs.getString("id"),
                rs.getString("uid"),
                rs.getString("name"),
                nullableLong(rs, "rate_limit"),
                nullableLong(rs, "throttle_rate"),
                stringMap(rs, "metadata"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }
}
