package dev.herald.store;

import static dev.herald.store.JsonColumns.instant;
import static dev.herald.store.JsonColumns.stringSet;
import static dev.herald.store.JsonColumns.textArray;

import dev.herald.domain.ConflictException;
import dev.herald.domain.EventType;
import dev.herald.domain.NotFoundException;
import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

public final class EventTypeStore {
    private final Jdbi jdbi;

    public EventTypeStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Returns the row as stored (jsonb key order, microsecond timestamps), so it reads back the same. */
    public EventType insert(EventType type) {
        try {
            return jdbi.withHandle(h -> h.createQuery("""
                    insert into event_type (name, description, schemas, archived, deprecated, feature_flag,
                                            feature_flags, group_name, created_at, updated_at, validate_payloads)
                    values (:name, :description, cast(:schemasJson as jsonb), :archived, :deprecated, :featureFlag,
                            :flags, :groupName, :createdAt, :updatedAt, :validatePayloads)
                    returning *
                    """)
                    .bindMethods(type)
                    .bindByType("flags", textArray(type.featureFlags()), String[].class)
                    .map(EventTypeStore::map)
                    .one());
        } catch (RuntimeException e) {
            if (SqlErrors.isUniqueViolation(e)) throw new ConflictException("event_type_exists", "An event_type with this name already exists");
            throw e;
        }
    }

    public Optional<EventType> find(String name) {
        return jdbi.withHandle(h -> h.createQuery("select * from event_type where name = :name")
                .bind("name", name).map(EventTypeStore::map).findOne());
    }

    /** The names among {@code names} that are not existing, unarchived event types (Svix: no new filters on archived ones). */
    public List<String> missing(Collection<String> names) {
        if (names.isEmpty()) return List.of();
        return jdbi.withHandle(h -> h.createQuery("""
                select n from unnest(cast(:names as text[])) as n
                where not exists (select 1 from event_type t where t.name = n and not t.archived)
                """)
                .bindByType("names", names.toArray(String[]::new), String[].class)
                .mapTo(String.class).list());
    }

    public Page<EventType> list(PageRequest page, boolean includeArchived) {
        return list(page, includeArchived, null);
    }

    /**
     * A page of the catalog as a token bearing {@code flags} sees it (null: every type), as
     * {@link EventType#visibleWith} decides: a type without flags, or with one of the token's.
     */
    public Page<EventType> list(PageRequest page, boolean includeArchived, Set<String> flags) {
        var rows = jdbi.withHandle(h -> Keyset.apply(h.createQuery("""
                select * from event_type
                where (cast(:cursor as text) is null or name <cmp> :cursor)
                  and (:includeArchived or not archived)
                  and (cast(:flags as text[]) is null
                       or (feature_flag is null and coalesce(cardinality(feature_flags), 0) = 0)
                       or feature_flag = any(cast(:flags as text[]))
                       or feature_flags && cast(:flags as text[]))
                order by name <dir>
                limit :limit
                """), page).bind("includeArchived", includeArchived)
                .bindByType("flags", textArray(flags), String[].class).map(EventTypeStore::map).list());
        return Keyset.page(rows, page, EventType::name);
    }

    /** The whole catalog by name (a catalog is small: its types are named by hand). */
    public List<EventType> all(boolean includeArchived) {
        return jdbi.withHandle(h -> h.createQuery("select * from event_type where (:includeArchived or not archived) order by name")
                .bind("includeArchived", includeArchived).map(EventTypeStore::map).list());
    }

    public EventType update(EventType type) {
        return jdbi.withHandle(h -> h.createQuery("""
                update event_type
                set description = :description, schemas = cast(:schemasJson as jsonb), archived = :archived,
                    deprecated = :deprecated, feature_flag = :featureFlag, feature_flags = :flags,
                    group_name = :groupName, updated_at = :updatedAt, validate_payloads = :validatePayloads
                where name = :name
                returning *
                """)
                .bindMethods(type)
                .bindByType("flags", textArray(type.featureFlags()), String[].class)
                .map(EventTypeStore::map)
                .findOne())
                .orElseThrow(() -> new NotFoundException("event type"));
    }

    public boolean expunge(String name) {
        return jdbi.withHandle(h -> h.createUpdate("delete from event_type where name = :name").bind("name", name).execute()) > 0;
    }

    static EventType map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new EventType(
                rs.getString("name"),
                rs.getString("description"),
                rs.getString("schemas"),
                rs.getBoolean("archived"),
                rs.getBoolean("deprecated"),
                rs.getString("feature_flag"),
                stringSet(rs, "feature_flags"),
                rs.getString("group_name"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                rs.getBoolean("validate_payloads"));
    }
}
