package dev.herald.delivery;

import dev.herald.queue.DeliveryQueue.PacedRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rows a lane's pacing moved ahead, kept so they can be made due again should the endpoint turn out not to be
 * slow: a burst that met a cold start or a hiccup would otherwise wait up to the pacing's horizon behind an endpoint
 * that answers fast again. Used by the dispatcher's thread only. At most {@link #LIMIT} rows are kept (in two
 * primitive arrays, 12 bytes a row); those beyond, and all of them once their latest due time has passed, simply
 * come due by themselves.
 */
final class PacedRows {
    static final int LIMIT = 10_000;

    private long[] ids = new long[0];
    private int[] attemptCounts = new int[0];
    private int size;
    /** The latest due time any kept row was given (null: none kept). */
    private Instant through;

    /** Keeps the rows one pacing moved, each due by {@code until} at the latest. */
    void add(List<PacedRow> moved, Instant until) {
        int room = Math.min(moved.size(), LIMIT - size);
        if (room <= 0) return;
        if (size + room > ids.length) {
            int capacity = Math.min(LIMIT, Math.max(size + room, 2 * ids.length));
            ids = Arrays.copyOf(ids, capacity);
            attemptCounts = Arrays.copyOf(attemptCounts, capacity);
        }
        for (int i = 0; i < room; i++) {
            ids[size] = moved.get(i).id();
            attemptCounts[size++] = moved.get(i).attemptCount();
        }
        if (through == null || until.isAfter(through)) through = until;
    }

    /** Whether any row is kept that may still be ahead of {@code now}; forgets them all once none can be. */
    boolean anyAhead(Instant now) {
        if (through != null && now.isAfter(through)) clear();
        return size > 0;
    }

    /** The kept rows, forgotten here: the caller makes them due. */
    List<PacedRow> take() {
        var rows = new ArrayList<PacedRow>(size);
        for (int i = 0; i < size; i++) rows.add(new PacedRow(ids[i], attemptCounts[i]));
        clear();
        return rows;
    }

    void clear() {
        ids = new long[0];
        attemptCounts = new int[0];
        size = 0;
        through = null;
    }
}
