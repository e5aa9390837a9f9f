package dev.herald.store;

import static dev.herald.store.JsonColumns.instant;
import static dev.herald.store.JsonColumns.stringSet;
import static dev.herald.store.JsonColumns.textArray;

import dev.herald.domain.ConflictException;
import dev.herald.domain.Connector;
import dev.herald.domain.NotFoundException;
import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** Svix's connectors: the environment's transformation templates, by id or uid. */
public final class ConnectorStore {
    private final Jdbi jdbi;

    public ConnectorStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Taken while counting and adding connectors, so nodes adding at once cannot pass the limit together. */
    private static final long LIMIT_LOCK = 7243026;

    /**
     * Adds the connector unless {@code max} exist already ({@code limit_reached}).
     * @throws ConflictException when another connector has its uid, or at the limit
     */
    public Connector insert(Connector connector, int max) {
        try {
            return jdbi.inTransaction(h -> {
                h.execute("select pg_advisory_xact_lock(" + LIMIT_LOCK + ")");
                long count = h.createQuery("select count(*) from connector").mapTo(Long.class).one();
                if (count >= max) throw new ConflictException("limit_reached", "Herald keeps at most " + max + " connectors");
                return bind(h.createQuery("""
                        insert into connector (id, uid, name, kind, logo, description, instructions, allowed_event_types,
                                               transformation, feature_flags, product_type, created_at, updated_at,
                                               transformation_updated_at)
                        values (:id, :uid, :name, :kind, :logo, :description, :instructions, :allowed, :transformation,
                                :flags, :productType, :createdAt, :updatedAt, :transformationUpdatedAt)
                        returning *
                        """), connector).map(ConnectorStore::map).one();
            });
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /**
     * Replaces every field but the id and creation time.
     * @throws ConflictException when another connector has its uid
     * @throws NotFoundException when it was deleted meanwhile
     */
    public Connector update(Connector connector) {
        return write(h -> h.createQuery("""
                update connector set uid = :uid, name = :name, kind = :kind, logo = :logo, description = :description,
                       instructions = :instructions, allowed_event_types = :allowed, transformation = :transformation,
                       feature_flags = :flags, product_type = :productType, updated_at = :updatedAt,
                       transformation_updated_at = :transformationUpdatedAt
                where id = :id
                returning *
                """), connector).orElseThrow(() -> new NotFoundException("Connector"));
    }

    private Optional<Connector> write(java.util.function.Function<Handle, org.jdbi.v3.core.statement.Query> statement,
                                      Connector connector) {
        try {
            return jdbi.withHandle(h -> bind(statement.apply(h), connector).map(ConnectorStore::map).findOne());
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    private static org.jdbi.v3.core.statement.Query bind(org.jdbi.v3.core.statement.Query query, Connector connector) {
        return query.bindMethods(connector)
                .bindByType("allowed", textArray(connector.allowedEventTypes()), String[].class)
                .bindByType("flags", textArray(connector.featureFlags()), String[].class);
    }

    private static RuntimeException translate(RuntimeException e) {
        return SqlErrors.isUniqueViolation(e) ? new ConflictException("A connector with this uid already exists") : e;
    }

    /** The connector with this id or uid. */
    public Optional<Connector> find(String idOrUid) {
        return jdbi.withHandle(h -> h.createQuery("""
                select * from connector where id = :key or uid = :key order by (id = :key) desc limit 1
                """).bind("key", idOrUid).map(ConnectorStore::map).findOne());
    }

    /** A page by id; {@code productType} null: every product's. */
    public Page<Connector> list(PageRequest page, String productType) {
        var rows = jdbi.withHandle(h -> Keyset.apply(h.createQuery("""
                select * from connector
                where (cast(:cursor as text) is null or id <cmp> :cursor)
                  and (cast(:product as text) is null or product_type = :product)
                order by id <dir>
                limit :limit
                """), page).bind("product", productType).map(ConnectorStore::map).list());
        return Keyset.page(rows, page, Connector::id);
    }

    /** Every connector by name (an operator's short list, as the event catalog is). */
    public List<Connector> all() {
        return jdbi.withHandle(h -> h.createQuery("select * from connector order by name, id").map(ConnectorStore::map).list());
    }

    public boolean delete(String id) {
        return jdbi.withHandle(h -> h.createUpdate("delete from connector where id = :id").bind("id", id).execute()) > 0;
    }

    static Connector map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Connector(rs.getString("id"), rs.getString("uid"), rs.getString("name"), rs.getString("kind"),
                rs.getString("logo"), rs.getString("description"), rs.getString("instructions"),
                stringSet(rs, "allowed_event_types"), rs.getString("transformation"), stringSet(rs, "feature_flags"),
                rs.getString("product_type"), instant(rs, "created_at"), instant(rs, "updated_at"),
                instant(rs, "transformation_updated_at"));
    }
}
