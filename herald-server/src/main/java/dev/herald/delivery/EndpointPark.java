package dev.herald.delivery;

import java.time.Duration;
import java.time.Instant;

/**
 * Where this node keeps the deliveries of an endpoint whose breaker is open: one short run of the due index,
 * {@link #PARK_FOR} ahead, in the order they were due. Used by the dispatcher's thread only.
 *
 * <p>Why: held deliveries must leave the due set, or every claim reads past them. Held until the breaker's probe
 * (as before), they all came due again at each probe, and a failed probe moved the whole backlog once more: with
 * 200,000 queued for a dead endpoint, about 400,000 rows moved per minute. Parked, a backlog is moved once per
 * {@link #PARK_FOR} while the endpoint stays down; one row at a time is made due for each probe, and once the breaker
 * closes the park is released in chunks as the endpoint takes them. If this node stops, its parks come due by
 * themselves at the end of their period: nothing is lost, and the delay is bounded.
 */
final class EndpointPark {
    static final Duration PARK_FOR = Duration.ofMinutes(10);
    /** Rows made due at a time once the endpoint is back; the next chunk follows when half of one was taken. */
    static final int RELEASE_CHUNK = 1_000;
    /** The next chunk follows after this long at the latest (another node may be taking the endpoint's deliveries). */
    static final Duration RELEASE_AT_LEAST_EVERY = Duration.ofSeconds(1);
    /** A probe row not taken within this long after it came due (another node took it) is replaced by another. */
    static final Duration PROBE_ROW_GRACE = Duration.ofSeconds(1);
    private static final Duration MICROSECOND = Duration.ofNanos(1_000);

    private Instant from; // null: nothing parked
    private Instant next; // the slot after the last parked row
    private Instant probeRowAt; // when the row readied for the probe is due; null: none ready
    private int lastReleased;
    private int takenSinceRelease;
    private long releasedAtNanos;
    /** A release found less than a chunk: one more, a while later, takes what was still being written here. */
    private boolean drained;

    /** Whether rows may be parked here (and not released yet). */
    boolean active() {
        return from != null;
    }

    /** The first slot of the park, which starts a new one when there is none or this one has come due. */
    Instant slot(Instant now) {
        if (from == null || !now.isBefore(from)) {
            from = now.plus(PARK_FOR);
            next = from;
            lastReleased = 0;
            drained = false;
        }
        return next;
    }

    /** {@code count} rows were parked from {@link #slot}. */
    void parked(int count) {
        next = next.plus(MICROSECOND.multipliedBy(count));
    }

    Instant from() {
        return from;
    }

    Instant through() {
        return next;
    }

    /** Whether a row should be made due for the probe: none is, or the one that is was not taken. */
    boolean needsProbeRow(Instant now) {
        return active() && (probeRowAt == null || now.isAfter(probeRowAt.plus(PROBE_ROW_GRACE)));
    }

    void probeRowAt(Instant due) {
        probeRowAt = due;
    }

    /** The probe went out: the next open period needs a row of its own. */
    void probeStarted() {
        probeRowAt = null;
    }

    /** One of the endpoint's deliveries was taken by this node (counts towards the next release). */
    void taken() {
        takenSinceRelease++;
    }

    /** Whether the next chunk should be released now that the breaker is closed. */
    boolean releaseDue(long nowNanos) {
        boolean waited = nowNanos - releasedAtNanos >= RELEASE_AT_LEAST_EVERY.toNanos();
        return active() && (waited || (!drained && takenSinceRelease * 2 >= lastReleased));
    }

    /**
     * {@code count} rows were released. Fewer than a chunk twice in a row, the second {@link #RELEASE_AT_LEAST_EVERY}
     * after the first, empties the park: publishing writes a held endpoint's deliveries here, and one whose lease was
     * taken just before the breaker closed commits after the release that first found the park nearly empty.
     */
    void released(int count, long nowNanos) {
        lastReleased = count;
        takenSinceRelease = 0;
        releasedAtNanos = nowNanos;
        if (count >= RELEASE_CHUNK) drained = false;
        else if (drained) clear();
        else drained = true;
    }

    /** Nothing is parked any more (released, or come due by itself). */
    void clear() {
        from = null;
        next = null;
        probeRowAt = null;
        drained = false;
    }
}
