package dev.herald.store;

import static dev.herald.store.JsonColumns.instant;
import static dev.herald.store.JsonColumns.nullableLong;
import static dev.herald.store.JsonColumns.stringMap;
import static dev.herald.store.JsonColumns.stringSet;
import static dev.herald.store.JsonColumns.textArray;
import static dev.herald.store.JsonColumns.toJson;

import dev.herald.domain.ConflictException;
import dev.herald.domain.Endpoint;
import dev.herald.domain.NotFoundException;
import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import dev.herald.security.SecretBox;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** Endpoints and their signing secrets (sealed with {@link SecretBox}, bound to the endpoint id). */
public final class EndpointStore {
    private final Jdbi jdbi;
    private final SecretBox secretBox;

    public EndpointStore(Jdbi jdbi, SecretBox secretBox) {
        this.jdbi = jdbi;
        this.secretBox = secretBox;
    }

    /**
     * Inserts under a row lock on the application, so concurrent creates cannot pass the limit
     * together (no count-then-insert race).
     */
    public Endpoint insert(Endpoint endpoint, String secret, int maxPerApp) {
        try {
            return jdbi.inTransaction(h -> {
                AppLimit.check(h, endpoint.appId(), "endpoint", maxPerApp,
                        "This application already has the maximum of " + maxPerApp + " endpoints");
                // the row as stored (microsecond timestamps), so the create answer reads back the same
                var stored = h.createQuery("""
                        insert into endpoint (id, app_id, uid, url, description, disabled, filter_types, channels,
                                              headers, headers_key_id, headers_sealed, rate_limit, throttle_rate, metadata,
                                              version, created_at, updated_at, filter, transformation, ordering)
                        values (:id, :appId, :uid, :url, :description, :disabled, :filterTypesArray, :channelsArray,
                                '{}', :headersKeyId, :headersSealed, :rateLimit, :throttleRate, cast(:metadataJson as jsonb),
                                :version, :createdAt, :updatedAt, cast(:filterJson as jsonb),
                                cast(:transformationJson as jsonb), :ordering)
                        returning *
                        """)
                        .bindMethods(endpoint)
                        .bindByType("filterTypesArray", textArray(endpoint.filterTypes()), String[].class)
                        .bindByType("channelsArray", textArray(endpoint.channels()), String[].class)
                        .bindMap(sealedHeaders(endpoint))
                        .bind("metadataJson", toJson(endpoint.metadata()))
                        .map(EndpointStore::map)
                        .one();
                insertSecret(h, endpoint.id(), secret, stored.createdAt());
                return stored;
            });
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** Whether a deleted endpoint or poller of this id still has rows to be purged (see DeletePurge). */
    public boolean removalPending(String id) {
        return DeletePurge.sinkPending(jdbi, id);
    }

    public Optional<Endpoint> find(String appId, String idOrUid) {
        return jdbi.withHandle(h -> h.createQuery("""
                select * from endpoint where app_id = :app and (id = :key or uid = :key)
                order by (id = :key) desc
                limit 1
                """)
                .bind("app", appId).bind("key", idOrUid)
                .map(EndpointStore::map).findOne());
    }

    public Page<Endpoint> list(String appId, PageRequest page) {
        var rows = jdbi.withHandle(h -> Keyset.apply(h.createQuery("""
                select * from endpoint
                where app_id = :app and (cast(:cursor as text) is null or id <cmp> :cursor)
                order by id <dir>
                limit :limit
                """), page).bind("app", appId).map(EndpointStore::map).list());
        return Keyset.page(rows, page, Endpoint::id);
    }

    /** Every endpoint of the application, for routing and lists (their sealed headers not opened). */
    public List<Endpoint> allOf(String appId) {
        return jdbi.withHandle(h -> h.createQuery("select * from endpoint where app_id = :app order by id")
                .bind("app", appId).map(EndpointStore::map).list());
    }

    public Endpoint update(Endpoint endpoint) {
        return update(endpoint, null).orElseThrow(() -> new NotFoundException("endpoint"));
    }

    /**
     * Writes the endpoint only if its row is still as it was read ({@code updated_at} unchanged; null: whatever it is
     * now). A partial change works out every column from the row it read: written over a change made meanwhile (the
     * recorder disabling the endpoint, another PATCH's headers) it would undo it. Empty when the row changed or is gone.
     */
    public Optional<Endpoint> update(Endpoint endpoint, Instant readAt) {
        return update(endpoint, readAt, false);
    }

    /**
     * As {@link #update(Endpoint, Instant)}; {@code dropSwitchedOff}: the transformation switched off (kept apart, see
     * {@link #keepSwitchedOffTransformation}) goes too, in the same statement: a {@code transformation} given on the
     * endpoint replaces it, and a separate write could erase one a switch-off stored meanwhile.
     */
    public Optional<Endpoint> update(Endpoint endpoint, Instant readAt, boolean dropSwitchedOff) {
        try {
            return jdbi.inTransaction(h -> {
                // locked: two writes at once must not both take the other's ordering for the old one
                String before = h.createQuery("select ordering from endpoint where id = :id and app_id = :appId for update")
                        .bind("id", endpoint.id()).bind("appId", endpoint.appId()).mapTo(String.class).findOne().orElse(null);
                Optional<Endpoint> written = h.createQuery("""
                    update endpoint
                    set uid = :uid, url = :url, description = :description, disabled = :disabled,
                        -- enabled again, its failing clock starts afresh: counted from before, the first failure after
                        -- would disable it again at once (the old row's values on the right of every assignment)
                        failing_since = case when disabled and not :disabled then null else failing_since end,
                        filter_types = :filterTypesArray, channels = :channelsArray,
                        -- kept: the row's own sealed headers as they are now (re-encrypted since they were read, say)
                        headers = case when :keepHeaders then headers else '{}' end,
                        headers_key_id = case when :keepHeaders then headers_key_id else :headersKeyId end,
                        headers_sealed = case when :keepHeaders then headers_sealed else :headersSealed end,
                        rate_limit = :rateLimit, throttle_rate = :throttleRate, metadata = cast(:metadataJson as jsonb),
                        version = :version, updated_at = :updatedAt, filter = cast(:filterJson as jsonb),
                        transformation = cast(:transformationJson as jsonb), ordering = :ordering,
                        transformation_disabled = case when :dropSwitchedOff then null else transformation_disabled end
                    where id = :id and app_id = :appId
                      and (cast(:readAt as timestamptz) is null or updated_at = cast(:readAt as timestamptz))
                    returning *
                    """)
                    .bindMethods(endpoint)
                    .bind("readAt", readAt)
                    .bind("dropSwitchedOff", dropSwitchedOff)
                    .bindByType("filterTypesArray", textArray(endpoint.filterTypes()), String[].class)
                    .bindByType("channelsArray", textArray(endpoint.channels()), String[].class)
                    .bindMap(sealedHeaders(endpoint))
                    .bind("keepHeaders", endpoint.sealedHeaders() != null)
                    .bind("metadataJson", toJson(endpoint.metadata()))
                    .map(EndpointStore::map)
                    .findOne();
                // a queued delivery carries the ordering it was queued with, which claims read: changed here, the rows
                // already queued must follow (switched off to unstick an ordered endpoint, they still waited in line)
                if (written.isPresent() && !java.util.Objects.equals(before, written.get().ordering())) {
                    boolean fifo = written.get().fifo();
                    // unordered again, a row held behind a retried head (DeliveryQueue.holdFollowers) is due when it was
                    // due before (the delivery row keeps that time); a row out for sending (its claim counted on the queue
                    // row, not yet on the delivery row) keeps its lease, or it would be claimed and sent a second time.
                    // Manual attempts (resend, recover) stay outside the order either way
                    var changed = h.createQuery("""
                            update delivery_queue q set fifo = :fifo,
                                -- a row parked for a pause stays parked (PauseStore), and the due time it keeps for its
                                -- resume is set right as the row's own would be
                                next_attempt_at = case when :fifo or q.attempt_count <> d.attempt_count
                                                            or q.next_attempt_at = 'infinity' then q.next_attempt_at
                                                       else least(q.next_attempt_at, coalesce(d.next_attempt_at, q.next_attempt_at)) end,
                                paused_due = case when :fifo or q.attempt_count <> d.attempt_count
                                                       or q.next_attempt_at <> 'infinity' then q.paused_due
                                                  else least(q.paused_due, coalesce(d.next_attempt_at, q.paused_due)) end
                            from delivery d
                            where q.endpoint_id = :id and q.fifo <> :fifo and q.trigger_type = 0 and d.id = q.delivery_id
                            returning q.delivery_id
                            """).bind("fifo", fifo).bind("id", endpoint.id()).mapTo(Long.class).list();
                    h.createUpdate("update delivery set fifo = :fifo where id = any(:ids)")
                            .bind("fifo", fifo).bindByType("ids", changed.toArray(Long[]::new), Long[].class).execute();
                }
                return written;
            });
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** The application's endpoints that are failing, by id, with since when (for its endpoint list). */
    public Map<String, Instant> failingOf(String appId) {
        return jdbi.withHandle(h -> h.createQuery("select id, failing_since from endpoint where app_id = :app and failing_since is not null")
                .bind("app", appId)
                .map((rs, ctx) -> Map.entry(rs.getString("id"), instant(rs, "failing_since")))
                .list().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    /** Since when no delivery to the endpoint has succeeded (its failing clock); empty while it is healthy. */
    public Optional<Instant> failingSince(String endpointId) {
        return jdbi.withHandle(h -> h.createQuery("select failing_since from endpoint where id = :id")
                .bind("id", endpointId).mapTo(Instant.class).findOne());
    }

    /** The endpoint's transformation switched off (Svix's {@code enabled: false}), as JSON text; empty when none. */
    public Optional<String> switchedOffTransformation(String endpointId) {
        return jdbi.withHandle(h -> h.createQuery("select transformation_disabled::text from endpoint where id = :id")
                .bind("id", endpointId).mapTo(String.class).findOne());
    }

    /** Keeps {@code transformationJson} (null: none) as the endpoint's transformation switched off. */
    public void keepSwitchedOffTransformation(String endpointId, String transformationJson) {
        jdbi.useHandle(h -> h.createUpdate("update endpoint set transformation_disabled = cast(:t as jsonb) where id = :id")
                .bind("id", endpointId).bind("t", transformationJson).execute());
    }

    public boolean setDisabled(String endpointId, boolean disabled, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                update endpoint set disabled = :disabled, updated_at = :now,
                       failing_since = case when :disabled then failing_since else null end
                where id = :id and disabled <> :disabled
                """).bind("id", endpointId).bind("disabled", disabled).bind("now", now).execute()) > 0;
    }

    public boolean delete(String appId, String endpointId) {
        return jdbi.withHandle(h -> h.createUpdate("delete from endpoint where id = :id and app_id = :app")
                .bind("id", endpointId).bind("app", appId).execute()) > 0;
    }

    public String currentSecret(String endpointId) {
        return jdbi.withHandle(h -> h.createQuery("""
                select key_id, ciphertext from endpoint_secret where endpoint_id = :id and expires_at is null
                """)
                .bind("id", endpointId)
                .map((rs, ctx) -> open(rs, endpointId))
                .findOne()
                .orElseThrow(() -> new NotFoundException("endpoint secret")));
    }

    /** Secrets an earlier rotation retired that still sign beside the current one (their grace not over at {@code now}). */
    public int retiredSecretsSigning(String endpointId, Instant now) {
        return jdbi.withHandle(h -> retiredSecretsSigning(h, endpointId, now));
    }

    private static int retiredSecretsSigning(Handle h, String endpointId, Instant now) {
        return h.createQuery("select count(*) from endpoint_secret where endpoint_id = :id and expires_at > :now")
                .bind("id", endpointId).bind("now", now)
                .mapTo(Integer.class).one();
    }

    /**
     * The current secret keeps signing until {@code graceUntil}; {@code newSecret} becomes current. Rotations of one
     * endpoint take turns (a lock of their own, so deliveries never wait on it): two at once both retired the same
     * secret and made two current ones, which the index refused with a 500. With a grace, a rotation that would leave
     * more than {@code maxRetiredSigning} retired secrets signing changes nothing and returns false.
     */
    public boolean rotateSecret(String endpointId, String newSecret, Instant now, Instant graceUntil, int maxRetiredSigning) {
        return jdbi.inTransaction(h -> {
            h.createQuery("select pg_advisory_xact_lock(hashtext('endpoint_secret'), hashtext(:id))")
                    .bind("id", endpointId).mapTo(String.class).one();
            if (graceUntil.isAfter(now) && retiredSecretsSigning(h, endpointId, now) >= maxRetiredSigning) return false;
            h.createUpdate("""
                    update endpoint_secret set expires_at = :graceUntil
                    where endpoint_id = :id and expires_at is null
                    """).bind("id", endpointId).bind("graceUntil", graceUntil).execute();
            insertSecret(h, endpointId, newSecret, now);
            return true;
        });
    }

    private void insertSecret(Handle h, String endpointId, String secret, Instant now) {
        var sealed = secretBox.seal(secret, endpointId);
        h.createUpdate("""
                insert into endpoint_secret (endpoint_id, key_id, ciphertext, created_at)
                values (:id, :keyId, :ciphertext, :now)
                """)
                .bind("id", endpointId).bind("keyId", sealed.keyId()).bind("ciphertext", sealed.ciphertext())
                .bind("now", now)
                .execute();
    }

    /** Re-seals every secret under the current key; returns how many rows changed. */
    public int reencryptAll() {
        return jdbi.inTransaction(h -> {
            var rows = h.createQuery("select id, endpoint_id, key_id, ciphertext from endpoint_secret where key_id <> :current for update")
                    .bind("current", secretBox.currentKeyId())
                    .map((rs, ctx) -> new Object[] {rs.getLong("id"), rs.getString("endpoint_id"),
                            new SecretBox.Sealed(rs.getString("key_id"), rs.getBytes("ciphertext"))})
                    .list();
            for (Object[] row : rows) {
                String endpointId = (String) row[1];
                var resealed = secretBox.seal(secretBox.open((SecretBox.Sealed) row[2], endpointId), endpointId);
                h.createUpdate("update endpoint_secret set key_id = :keyId, ciphertext = :c where id = :id")
                        .bind("keyId", resealed.keyId()).bind("c", resealed.ciphertext()).bind("id", (long) row[0])
                        .execute();
            }
            return rows.size();
        });
    }

    /** Every endpoint's headers sealed with another key than the current one, sealed again with it; returns how many. */
    public int reencryptHeaders() {
        return jdbi.inTransaction(h -> resealHeaders(h, false));
    }

    /**
     * Seals the headers of endpoints written before V31 (plaintext in {@code headers}), a batch at a time, rows another
     * node is sealing passed over. Every node does it as it starts; it finds nothing after the first. Returns how many.
     */
    public int sealPlaintextHeaders() {
        int sealed = 0;
        for (int batch; (batch = jdbi.inTransaction(h -> resealHeaders(h, true))) > 0; ) sealed += batch;
        return sealed;
    }

    /**
     * {@code plaintext}: endpoints whose headers are still in the clear, sealed; else endpoints whose headers are sealed
     * with a key other than the current one, sealed again with it (reencrypt-secrets).
     */
    private int resealHeaders(org.jdbi.v3.core.Handle h, boolean plaintext) {
        var rows = (plaintext
                ? h.createQuery("select * from endpoint where headers <> '{}' limit 500 for update skip locked")
                : h.createQuery("select * from endpoint where headers_key_id <> :current for update")
                        .bind("current", secretBox.currentKeyId()))
                .map(EndpointStore::map).list();
        for (Endpoint e : rows) {
            if (!plaintext) e = e.withHeaders(headersOf(e)); // opened with the old key, sealed again with the current one
            h.createUpdate("update endpoint set headers = '{}', headers_key_id = :headersKeyId, headers_sealed = :headersSealed where id = :id")
                    .bindMap(sealedHeaders(e)).bind("id", e.id()).execute();
        }
        return rows.size();
    }

    /**
     * The endpoint's headers as written: sealed ones as they are (unchanged; an update keeps the row's own instead, see
     * {@code keepHeaders}), new ones sealed (bound to its id), nulls when it has none.
     */
    private Map<String, Object> sealedHeaders(Endpoint endpoint) {
        var columns = new java.util.HashMap<String, Object>();
        if (endpoint.sealedHeaders() != null) {
            columns.put("headersKeyId", endpoint.sealedHeaders().keyId());
            columns.put("headersSealed", endpoint.sealedHeaders().ciphertext());
        } else if (endpoint.headers() == null || endpoint.headers().isEmpty()) {
            columns.put("headersKeyId", null);
            columns.put("headersSealed", null);
        } else {
            var sealed = secretBox.seal(toJson(endpoint.headers()), endpoint.id());
            columns.put("headersKeyId", sealed.keyId());
            columns.put("headersSealed", sealed.ciphertext());
        }
        return columns;
    }

    /** Opens an endpoint's sealed headers (see {@link dev.herald.queue.ClaimedDelivery#sealedHeaders()}). */
    public Map<String, String> openHeaders(SecretBox.Sealed sealed, String endpointId) {
        return JsonColumns.fromJson(secretBox.open(sealed, endpointId));
    }

    /**
     * The endpoint's custom headers in the clear: its sealed ones opened (a {@link SecretBox.MissingKeyException} when this
     * node lacks their key), or those it holds in the clear.
     */
    public Map<String, String> headersOf(Endpoint endpoint) {
        return endpoint.sealedHeaders() == null ? endpoint.headers() : openHeaders(endpoint.sealedHeaders(), endpoint.id());
    }

    /** Opens one sealed signing secret of the endpoint (see {@link dev.herald.queue.ClaimedDelivery#secrets()}). */
    public String openSecret(SecretBox.Sealed sealed, String endpointId) {
        return secretBox.open(sealed, endpointId);
    }

    private String open(ResultSet rs, String endpointId) throws SQLException {
        return secretBox.open(new SecretBox.Sealed(rs.getString("key_id"), rs.getBytes("ciphertext")), endpointId);
    }

    private static RuntimeException translate(RuntimeException e) {
        if (SqlErrors.isUniqueViolation(e)) return new ConflictException("An endpoint with this uid already exists");
        return e;
    }

    static Endpoint map(ResultSet rs, StatementContext ctx) throws SQLException {
        var headers = stringMap(rs, "headers");
        return new Endpoint(
                rs.getString("id"),
                rs.getString("app_id"),
                rs.getString("uid"),
                rs.getString("url"),
                rs.getString("description"),
                rs.getBoolean("disabled"),
                stringSet(rs, "filter_types"),
                stringSet(rs, "channels"),
                headers,
                nullableLong(rs, "rate_limit"),
                nullableLong(rs, "throttle_rate"),
                stringMap(rs, "metadata"),
                rs.getInt("version"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                rs.getString("filter"),
                rs.getString("transformation"),
                rs.getString("ordering"),
                // headers in the clear beside sealed ones were written by a Herald from before V31 still running in a
                // rolling upgrade, after this one sealed them: the newer
                headers.isEmpty() ? JsonColumns.sealedHeaders(rs) : null);
    }
}
