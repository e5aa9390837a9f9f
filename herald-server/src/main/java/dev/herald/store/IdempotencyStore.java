package dev.herald.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Idempotency keys: the first request with a key claims it (insert), runs, and stores its response;
 * a repeat with the same request replays it. The claim is an insert on the primary key, so two
 * concurrent duplicates cannot both run.
 */
public final class IdempotencyStore {
    private final Jdbi jdbi;

    public IdempotencyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public sealed interface Claim {}

    public record Acquired() implements Claim {}

    public record Replay(int status, String response) implements Claim {}

    public record InProgress() implements Claim {}

    public record Mismatch() implements Claim {}

    /**
     * @param expiredBefore keys claimed before this are forgotten
     * @param abandonedBefore keys claimed before this and still without an answer are taken over: the request
     *     that claimed them died with its node (a live one releases or completes its key)
     */
    public Claim claim(String scope, String key, byte[] requestHash, Instant now, Instant expiredBefore,
                       Instant abandonedBefore) {
        if (claimNew(List.of(new NewClaim(scope, key, requestHash, now)))[0]) return new Acquired();
        return claimExisting(scope, key, requestHash, now, expiredBefore, abandonedBefore);
    }

    /** A key to claim if no request has it yet. */
    public record NewClaim(String scope, String key, byte[] requestHash, Instant now) {}

    /**
     * Claims the keys no request has yet, all in one statement whose commit does not wait for the disk, and says which
     * it claimed; for the others see {@link #claimExisting}. No two may name the same key. Safe without the disk: what a
     * request then writes commits synchronously, which flushes its claim's WAL with it; a request that writes nothing
     * loses only its claim in a crash, and a retry runs it again, as it would have.
     */
    public boolean[] claimNew(List<NewClaim> claims) {
        Set<Key> claimed = jdbi.withHandle(h -> new HashSet<>(bindClaims(h.createQuery("""
                with async_commit as materialized (select set_config('synchronous_commit', 'off', true) as setting)
                insert into idempotency_key (scope, key, request_hash, created_at)
                select c.scope, c.key, decode(c.request_hash, 'hex'), c.created_at
                from unnest(cast(:scopes as text[]), cast(:keys as text[]), cast(:hashes as text[]),
                            cast(:createdAt as timestamptz[])) as c(scope, key, request_hash, created_at)
                cross join async_commit
                on conflict do nothing
                returning scope, key
                """), claims)
                .map(Key::read).list()));
        boolean[] result = new boolean[claims.size()];
        for (int i = 0; i < result.length; i++) result[i] = claimed.contains(Key.of(claims.get(i)));
        return result;
    }

    /** A key as the table keys it: its scope (token and URL) and the client's key. */
    private record Key(String scope, String key) {
        static Key of(NewClaim claim) {
            return new Key(claim.scope(), claim.key());
        }

        static Key read(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws java.sql.SQLException {
            return new Key(rs.getString("scope"), rs.getString("key"));
        }
    }

    /** Binds the claims' {@code :scopes}, {@code :keys}, {@code :hashes} (hex) and {@code :createdAt} as parallel arrays. */
    private static org.jdbi.v3.core.statement.Query bindClaims(org.jdbi.v3.core.statement.Query query, List<NewClaim> claims) {
        var hex = java.util.HexFormat.of();
        return query
                .bindByType("scopes", claims.stream().map(NewClaim::scope).toArray(String[]::new), String[].class)
                .bindByType("keys", claims.stream().map(NewClaim::key).toArray(String[]::new), String[].class)
                .bindByType("hashes", claims.stream().map(c -> hex.formatHex(c.requestHash())).toArray(String[]::new), String[].class)
                .bindByType("createdAt", claims.stream().map(c -> c.now().toString()).toArray(String[]::new), String[].class);
    }

    /**
     * The claim of a key some request had: a forgotten (expired) or abandoned claim is taken over, else the first
     * request's answer is replayed, or it is still running, or the key was used for another request.
     */
    public Claim claimExisting(String scope, String key, byte[] requestHash, Instant now, Instant expiredBefore,
                               Instant abandonedBefore) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("""
                    delete from idempotency_key
                    where scope = :scope and key = :key
                      and (created_at < :expired or (status is null and created_at < :abandoned))
                    """)
                    .bind("scope", scope).bind("key", key).bind("expired", expiredBefore).bind("abandoned", abandonedBefore)
                    .execute();
            int inserted = h.createUpdate("""
                    insert into idempotency_key (scope, key, request_hash, created_at)
                    values (:scope, :key, :hash, :now) on conflict do nothing
                    """).bind("scope", scope).bind("key", key).bind("hash", requestHash).bind("now", now).execute();
            if (inserted == 1) return new Acquired();
            Optional<Claim> existing = h.createQuery("""
                    select request_hash, status, response from idempotency_key where scope = :scope and key = :key
                    """).bind("scope", scope).bind("key", key)
                    .map((rs, ctx) -> {
                        if (!Arrays.equals(rs.getBytes("request_hash"), requestHash)) return (Claim) new Mismatch();
                        int status = rs.getInt("status");
                        if (rs.wasNull()) return new InProgress();
                        return new Replay(status, rs.getString("response"));
                    }).findOne();
            return existing.orElse(new InProgress());
        });
    }

    /** A request's answer to store with its effect, in the same transaction (see MessageStore). */
    public sealed interface KeyedAnswer {}

    /** An answer to store under a key the request claimed before it ran ({@link #claimNew}, {@link #claimExisting}). */
    public record Answer(String scope, String key, int status, String response) implements KeyedAnswer {}

    /**
     * A key claimed together with its answer, in the transaction of the request's effect: one row written once, and no
     * claim of its own before the request runs. If another request has or had the key, the effect is not made, and
     * the request learns it from a {@link KeyTakenException}, then settles the key with {@link #claimExisting}.
     */
    public record ClaimingAnswer(NewClaim claim, int status, String response) implements KeyedAnswer {}

    /** The request's key was claimed by another request, so its effect was not made. */
    public static final class KeyTakenException extends RuntimeException {
        public KeyTakenException() {
            super("idempotency-key already claimed", null, false, false);
        }
    }

    /**
     * Claims the keys of {@code claiming} with their answers, in the caller's transaction, and says which it claimed. A
     * key given twice is claimed for its first request only. Keys are written in one order (scope, key) so that two
     * batches sharing keys wait for each other instead of deadlocking; a key another open transaction holds waits for
     * it, and is not claimed if that one commits.
     */
    static boolean[] claimWithAnswers(org.jdbi.v3.core.Handle h, List<ClaimingAnswer> claiming) {
        var firsts = new java.util.TreeMap<Key, ClaimingAnswer>(
                java.util.Comparator.comparing(Key::scope).thenComparing(Key::key));
        for (ClaimingAnswer a : claiming) firsts.putIfAbsent(Key.of(a.claim()), a);
        var rows = List.copyOf(firsts.values());
        Set<Key> claimed = new HashSet<>(bindClaims(h.createQuery("""
                insert into idempotency_key (scope, key, request_hash, created_at, status, response)
                select c.scope, c.key, decode(c.request_hash, 'hex'), c.created_at, c.status, c.response
                from unnest(cast(:scopes as text[]), cast(:keys as text[]), cast(:hashes as text[]),
                            cast(:createdAt as timestamptz[]), cast(:statuses as int[]), cast(:responses as text[]))
                     as c(scope, key, request_hash, created_at, status, response)
                on conflict do nothing
                returning scope, key
                """), rows.stream().map(ClaimingAnswer::claim).toList())
                .bindByType("statuses", rows.stream().map(ClaimingAnswer::status).toArray(Integer[]::new), Integer[].class)
                .bindByType("responses", rows.stream().map(ClaimingAnswer::response).toArray(String[]::new), String[].class)
                .map(Key::read).list());
        boolean[] result = new boolean[claiming.size()];
        for (int i = 0; i < result.length; i++) {
            ClaimingAnswer a = claiming.get(i);
            Key key = Key.of(a.claim());
            result[i] = firsts.get(key) == a && claimed.contains(key);
        }
        return result;
    }

    /** Deletes keys claimed in the caller's transaction whose request then made no effect (so it stores no answer). */
    static void unclaim(org.jdbi.v3.core.Handle h, List<ClaimingAnswer> claimed) {
        if (claimed.isEmpty()) return;
        h.createUpdate("""
                delete from idempotency_key k
                using unnest(cast(:scopes as text[]), cast(:keys as text[])) as c(scope, key)
                where k.scope = c.scope and k.key = c.key
                """)
                .bindByType("scopes", claimed.stream().map(a -> a.claim().scope()).toArray(String[]::new), String[].class)
                .bindByType("keys", claimed.stream().map(a -> a.claim().key()).toArray(String[]::new), String[].class)
                .execute();
    }

    /**
     * Stores the answers of a batch's requests under their keys, in the caller's transaction: an answer is durable
     * exactly when its request's effect is.
     */
    static void complete(org.jdbi.v3.core.Handle h, List<Answer> answers) {
        if (answers.isEmpty()) return;
        h.createUpdate("""
                update idempotency_key k set status = a.status, response = a.response
                from unnest(cast(:scopes as text[]), cast(:keys as text[]), cast(:statuses as int[]), cast(:responses as text[]))
                     as a(scope, key, status, response)
                where k.scope = a.scope and k.key = a.key
                """)
                .bindByType("scopes", answers.stream().map(Answer::scope).toArray(String[]::new), String[].class)
                .bindByType("keys", answers.stream().map(Answer::key).toArray(String[]::new), String[].class)
                .bindByType("statuses", answers.stream().map(Answer::status).toArray(Integer[]::new), Integer[].class)
                .bindByType("responses", answers.stream().map(Answer::response).toArray(String[]::new), String[].class)
                .execute();
    }

    /** Re-seals the sealed answers under the box's current key (reencrypt-secrets); returns how many. */
    public int reencryptAnswers(dev.herald.security.SecretBox box) {
        return jdbi.inTransaction(h -> {
            var rows = h.createQuery("""
                    select scope, key, response from idempotency_key
                    where response like 'sealed:%' and response not like :current for update
                    """).bind("current", "sealed:" + box.currentKeyId() + ":%")
                    .map((rs, ctx) -> new Answer(rs.getString("scope"), rs.getString("key"), 0, rs.getString("response")))
                    .list();
            for (var row : rows) {
                String boundTo = row.scope() + "\n" + row.key();
                String resealed = dev.herald.security.SealedText.seal(box, dev.herald.security.SealedText.open(box, row.response(), boundTo), boundTo);
                h.createUpdate("update idempotency_key set response = :response where scope = :scope and key = :key")
                        .bind("response", resealed).bind("scope", row.scope()).bind("key", row.key()).execute();
            }
            return rows.size();
        });
    }

    public void complete(String scope, String key, int status, String response) {
        jdbi.useHandle(h -> h.createUpdate("""
                update idempotency_key set status = :status, response = :response where scope = :scope and key = :key
                """).bind("scope", scope).bind("key", key).bind("status", status).bind("response", response).execute());
    }

    public void release(String scope, String key) {
        jdbi.useHandle(h -> h.createUpdate("delete from idempotency_key where scope = :scope and key = :key and status is null")
                .bind("scope", scope).bind("key", key).execute());
    }

    public int purge(Instant expiredBefore) {
        return jdbi.withHandle(h -> h.createUpdate("delete from idempotency_key where created_at < :expired")
                .bind("expired", expiredBefore).execute());
    }
}
