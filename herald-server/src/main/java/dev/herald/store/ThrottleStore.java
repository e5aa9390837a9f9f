package dev.herald.store;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jdbi.v3.core.Jdbi;

/**
 * Throttle buckets shared by all nodes (GCRA, a token bucket kept as one timestamp per key): a bucket's
 * {@code next_free_at} is the virtual start of its next slot, one slot every {@code 1/rate} seconds, and a
 * slot may be used up to {@code burst - 1/rate} ahead of its time, so a bucket holds about one burst's worth
 * of requests. Reservations lock the buckets' rows, so two nodes never hand out the same slot.
 */
public final class ThrottleStore {
    /** One request wanting a slot of its endpoint's bucket and/or its application's (a null key: no such limit). */
    public record Want(String endpointKey, double endpointRate, String appKey, double appRate) {}

    private final Jdbi jdbi;

    public ThrottleStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Reserves slots for the wants, in order, in one transaction. A want gets a slot only when every bucket it
     * names has one free now (so no bucket is charged for a request another bucket holds back). Returns, per
     * want, null when it may be sent now, else the time to try again: when its buckets should have a slot for
     * it, counting the wants refused before it (an estimate; nothing is reserved for refused wants).
     */
    public List<Instant> reserve(List<Want> wants, Instant now, Duration burst) {
        if (wants.isEmpty()) return List.of();
        var keys = new TreeSet<String>();
        for (var w : wants) {
            if (w.endpointKey() != null) keys.add(w.endpointKey());
            if (w.appKey() != null) keys.add(w.appKey());
        }
        String[] sorted = keys.toArray(String[]::new); // one lock order for every node: no deadlocks
        long nowMicros = micros(now);
        long burstMicros = burst.toNanos() / 1_000;
        return jdbi.inTransaction(h -> {
            h.createUpdate("""
                    insert into throttle_bucket (key, next_free_at)
                    select k, :now from unnest(:keys) as k order by k
                    on conflict (key) do nothing
                    """).bind("now", now).bindByType("keys", sorted, String[].class).execute();
            Map<String, Long> next = new HashMap<>();
            h.createQuery("select key, next_free_at from throttle_bucket where key = any(:keys) order by key for update")
                    .bindByType("keys", sorted, String[].class)
                    .map((rs, ctx) -> Map.entry(rs.getString("key"), micros(JsonColumns.instant(rs, "next_free_at"))))
                    .forEach(e -> next.put(e.getKey(), Math.max(e.getValue(), nowMicros)));
            Map<String, Long> changed = new HashMap<>();
            Map<String, Long> refusedNext = new HashMap<>(); // where the next refused want of a bucket would fit
            var result = new ArrayList<Instant>(wants.size());
            for (var w : wants) {
                long epInterval = interval(w.endpointRate());
                long appInterval = interval(w.appRate());
                if (w.endpointKey() != null) notFurtherAhead(next, changed, w.endpointKey(), nowMicros, burstMicros, epInterval);
                if (w.appKey() != null) notFurtherAhead(next, changed, w.appKey(), nowMicros, burstMicros, appInterval);
                boolean epFree = w.endpointKey() == null || next.get(w.endpointKey()) <= nowMicros + tolerance(burstMicros, epInterval);
                boolean appFree = w.appKey() == null || next.get(w.appKey()) <= nowMicros + tolerance(burstMicros, appInterval);
                if (epFree && appFree) {
                    if (w.endpointKey() != null) changed.put(w.endpointKey(), next.merge(w.endpointKey(), epInterval, Long::sum));
                    if (w.appKey() != null) changed.put(w.appKey(), next.merge(w.appKey(), appInterval, Long::sum));
                    result.add(null);
                    continue;
                }
                long retry = nowMicros;
                if (w.endpointKey() != null) retry = Math.max(retry, refused(refusedNext, next, w.endpointKey(), epInterval, burstMicros));
                if (w.appKey() != null) retry = Math.max(retry, refused(refusedNext, next, w.appKey(), appInterval, burstMicros));
                result.add(Instant.EPOCH.plus(retry, ChronoUnit.MICROS));
            }
            if (!changed.isEmpty()) {
                var batch = h.prepareBatch("update throttle_bucket set next_free_at = :next where key = :key");
                changed.forEach((key, at) -> batch.bind("key", key).bind("next", Instant.EPOCH.plus(at, ChronoUnit.MICROS)).add());
                batch.execute();
            }
            return result;
        });
    }

    /** When a refused want could use this bucket, moving the bucket's queue of refused wants one slot on. */
    private static long refused(Map<String, Long> refusedNext, Map<String, Long> next, String key, long interval, long burst) {
        long slot = Math.max(refusedNext.getOrDefault(key, 0L), next.get(key));
        refusedNext.put(key, slot + interval);
        return slot - tolerance(burst, interval);
    }

    /** Microseconds between slots (at least one: PostgreSQL keeps microseconds). */
    /**
     * A bucket's next free slot is never further ahead of now than one request past its tolerance, which is as far as
     * reserving takes it. It was, after the clock of a node stepped back or one running ahead wrote the bucket: every
     * want was refused and put off by as much (an hour back: an hour without a request). The slot brought back is
     * written even if no want takes it, or the bucket would stay ahead. Only past {@link #CLOCKS_APART}: a node whose
     * clock is a little behind the others' would otherwise pull the bucket back at each try, and the others, reading it
     * as their present, would send a burst each time (past that much, nodes send deliveries twice anyway: README).
     */
    private static void notFurtherAhead(Map<String, Long> next, Map<String, Long> changed, String key, long nowMicros,
                                        long burstMicros, long interval) {
        long furthest = nowMicros + tolerance(burstMicros, interval) + interval;
        if (next.get(key) > furthest + CLOCKS_APART_MICROS) {
            next.put(key, furthest);
            changed.put(key, furthest);
        }
    }

    /** Nodes' clocks this far apart are taken as one present (HERALD_DELIVERY_LEASE's default: ClockOffset warns). */
    static final java.time.Duration CLOCKS_APART = java.time.Duration.ofMinutes(1);
    private static final long CLOCKS_APART_MICROS = CLOCKS_APART.toNanos() / 1_000;

    private static long interval(double ratePerSecond) {
        return ratePerSecond <= 0 ? 0 : Math.max(1, (long) Math.ceil(1_000_000 / ratePerSecond));
    }

    /** How far ahead of its time a slot may be used: the burst holds {@code burst * rate} requests, one at least. */
    private static long tolerance(long burstMicros, long interval) {
        return Math.max(0, burstMicros - interval);
    }

    private static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }
}
