package dev.herald.store;

import static dev.herald.store.JsonColumns.instant;
import static dev.herald.store.JsonColumns.stringSet;
import static dev.herald.store.JsonColumns.textArray;

import dev.herald.domain.Integration;
import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import dev.herald.security.SecretBox;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Integrations and their keys. A key is an application token in {@code api_token} (by hash, as every token) and is
 * also sealed here, bound to the integration's id, so that its owner can read it again. A key and its token change
 * together, in one transaction: on create, rotate and delete.
 */
public final class IntegrationStore {
    private final Jdbi jdbi;
    private final SecretBox secretBox;

    public IntegrationStore(Jdbi jdbi, SecretBox secretBox) {
        this.jdbi = jdbi;
        this.secretBox = secretBox;
    }

    /** Stores the integration with its key (a token named {@code tokenId}, live until rotated or deleted). */
    public Integration insert(Integration integration, String tokenId, String key, byte[] keyHash) {
        var sealed = secretBox.seal(key, integration.id());
        return jdbi.inTransaction(h -> {
            insertToken(h, tokenId, keyHash, integration.appId(), integration.createdAt());
            return h.createQuery("""
                    insert into integration (id, app_id, name, feature_flags, token_id, key_id, key_ciphertext, created_at, updated_at)
                    values (:id, :appId, :name, :flags, :tokenId, :keyId, :ciphertext, :createdAt, :updatedAt)
                    returning *
                    """)
                    .bindMethods(integration)
                    .bindByType("flags", textArray(integration.featureFlags()), String[].class)
                    .bind("tokenId", tokenId).bind("keyId", sealed.keyId()).bind("ciphertext", sealed.ciphertext())
                    .map(IntegrationStore::map).one();
        });
    }

    public Optional<Integration> find(String appId, String id) {
        return jdbi.withHandle(h -> h.createQuery("select * from integration where app_id = :app and id = :id")
                .bind("app", appId).bind("id", id).map(IntegrationStore::map).findOne());
    }

    public Page<Integration> list(String appId, PageRequest page) {
        var rows = jdbi.withHandle(h -> Keyset.apply(h.createQuery("""
                select * from integration
                where app_id = :app and (cast(:cursor as text) is null or id <cmp> :cursor)
                order by id <dir>
                limit :limit
                """), page).bind("app", appId).map(IntegrationStore::map).list());
        return Keyset.page(rows, page, Integration::id);
    }

    public Optional<Integration> update(Integration integration) {
        return jdbi.withHandle(h -> h.createQuery("""
                update integration set name = :name, feature_flags = :flags, updated_at = :updatedAt
                where app_id = :appId and id = :id
                returning *
                """)
                .bindMethods(integration)
                .bindByType("flags", textArray(integration.featureFlags()), String[].class)
                .map(IntegrationStore::map).findOne());
    }

    /** Deletes the integration and its token; the deleted token's id, if it existed. */
    public Optional<String> delete(String appId, String id) {
        return jdbi.inTransaction(h -> {
            Optional<String> tokenId = h.createQuery("delete from integration where app_id = :app and id = :id returning token_id")
                    .bind("app", appId).bind("id", id).mapTo(String.class).findOne();
            tokenId.ifPresent(t -> h.createUpdate("delete from api_token where id = :id").bind("id", t).execute());
            return tokenId;
        });
    }

    /** The integration's key, opened. */
    public Optional<String> key(String appId, String id) {
        return jdbi.withHandle(h -> h.createQuery("select key_id, key_ciphertext from integration where app_id = :app and id = :id")
                .bind("app", appId).bind("id", id)
                .map((rs, ctx) -> secretBox.open(new SecretBox.Sealed(rs.getString("key_id"), rs.getBytes("key_ciphertext")), id))
                .findOne());
    }

    /**
     * Gives the integration a new key (token {@code tokenId}); the old one's token is deleted in the same transaction.
     * Returns the old token's id, or empty when there is no such integration.
     */
    public Optional<String> rotate(String appId, String id, String tokenId, String key, byte[] keyHash, Instant now) {
        var sealed = secretBox.seal(key, id);
        return jdbi.inTransaction(h -> {
            Optional<String> old = h.createQuery("select token_id from integration where app_id = :app and id = :id for update")
                    .bind("app", appId).bind("id", id).mapTo(String.class).findOne();
            if (old.isEmpty()) return old;
            insertToken(h, tokenId, keyHash, appId, now);
            h.createUpdate("""
                    update integration set token_id = :tokenId, key_id = :keyId, key_ciphertext = :ciphertext, updated_at = :now
                    where id = :id
                    """)
                    .bind("tokenId", tokenId).bind("keyId", sealed.keyId()).bind("ciphertext", sealed.ciphertext())
                    .bind("now", now).bind("id", id).execute();
            h.createUpdate("delete from api_token where id = :id").bind("id", old.get()).execute();
            return old;
        });
    }

    /** Re-seals every key under the current encryption key; returns how many changed. */
    public int reencryptAll() {
        return jdbi.inTransaction(h -> {
            var rows = h.createQuery("select id, key_id, key_ciphertext from integration where key_id <> :current for update")
                    .bind("current", secretBox.currentKeyId())
                    .map((rs, ctx) -> new Object[] {rs.getString("id"),
                            new SecretBox.Sealed(rs.getString("key_id"), rs.getBytes("key_ciphertext"))})
                    .list();
            for (Object[] row : rows) {
                String id = (String) row[0];
                var resealed = secretBox.seal(secretBox.open((SecretBox.Sealed) row[1], id), id);
                h.createUpdate("update integration set key_id = :keyId, key_ciphertext = :c where id = :id")
                        .bind("keyId", resealed.keyId()).bind("c", resealed.ciphertext()).bind("id", id).execute();
            }
            return rows.size();
        });
    }

    private static void insertToken(Handle h, String tokenId, byte[] hash, String appId, Instant createdAt) {
        h.createUpdate("insert into api_token (id, token_hash, app_id, created_at) values (:id, :hash, :app, :createdAt)")
                .bind("id", tokenId).bind("hash", hash).bind("app", appId).bind("createdAt", createdAt).execute();
    }

    static Integration map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Integration(rs.getString("id"), rs.getString("app_id"), rs.getString("name"), stringSet(rs, "feature_flags"),
                instant(rs, "created_at"), instant(rs, "updated_at"));
    }
}
