package dev.herald.store;

import java.time.Instant;
import org.jdbi.v3.core.Jdbi;

/**
 * Pausing, kept in the database so every node obeys at its next claim: one endpoint (its deliveries
 * wait, none is lost) or all delivery (the maintenance switch; publishing goes on).
 */
public final class PauseStore {
    static final String DELIVERY_PAUSED = "delivery_paused";

    private final Jdbi jdbi;

    public PauseStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Pauses the endpoint and parks its queued rows (see V30__paused_rows_parked.sql): each row's due time is kept
     * and the row is due at 'infinity', so no claim reads it. Rows written while it is paused are parked as they are
     * written (MessageStore).
     */
    public void pauseEndpoint(String endpointId, Instant now) {
        jdbi.useTransaction(h -> {
            int paused = h.createUpdate("""
                    insert into endpoint_pause (endpoint_id, paused_at) values (:id, :now) on conflict do nothing
                    """).bind("id", endpointId).bind("now", now).execute();
            // only as it is paused: parking reads the whole queue, and a pause asked again must not read it again
            if (paused > 0) h.createUpdate(PARK).bind("id", endpointId).execute();
        });
    }

    /** Resumes the endpoint: its parked rows are due again when they were due (a lease that ran out: at once). */
    public void resumeEndpoint(String endpointId) {
        jdbi.useTransaction(h -> {
            h.createUpdate("delete from endpoint_pause where endpoint_id = :id").bind("id", endpointId).execute();
            h.createUpdate(UNPARK).bind("id", endpointId).execute();
        });
    }

    /**
     * Unparks the rows of endpoints no longer paused. A publish that read the pause before a resume committed writes
     * its rows parked after the resume unparked the others: this finds them (a few index probes when there are none).
     * Returns the rows made due.
     */
    public int unparkResumed() {
        return jdbi.inTransaction(h -> {
            var endpoints = h.createQuery(PARKED_NOT_PAUSED).mapTo(String.class).list();
            int moved = 0;
            for (String endpoint : endpoints) {
                moved += h.createUpdate(UNPARK + " and not exists (select 1 from endpoint_pause p where p.endpoint_id = :id)")
                        .bind("id", endpoint).execute();
            }
            return moved;
        });
    }

    /** Every row of one endpoint not parked yet, parked: no index leads to an endpoint's rows, so it reads the queue once. */
    private static final String PARK = """
            update delivery_queue set paused_due = next_attempt_at, next_attempt_at = 'infinity'
            where endpoint_id = :id and next_attempt_at <> 'infinity'
            """;
    /**
     * A parked row's due time back; a row given another since it was parked (a retry's, written by the results of a
     * request already out when the endpoint was paused) keeps that one.
     */
    private static final String UNPARK = """
            update delivery_queue
            set next_attempt_at = case when next_attempt_at = 'infinity' then paused_due else next_attempt_at end,
                paused_due = null
            where endpoint_id = :id and paused_due is not null""";
    /** The endpoints with parked rows (a loose scan of the partial index: one probe per endpoint) not paused now. */
    private static final String PARKED_NOT_PAUSED = """
            with recursive parked(endpoint_id) as (
                (select endpoint_id from delivery_queue where paused_due is not null order by endpoint_id limit 1)
                union all
                select (select q.endpoint_id from delivery_queue q
                        where q.paused_due is not null and q.endpoint_id > p.endpoint_id
                        order by q.endpoint_id limit 1)
                from parked p where p.endpoint_id is not null
            )
            select endpoint_id from parked
            where endpoint_id is not null
              and not exists (select 1 from endpoint_pause e where e.endpoint_id = parked.endpoint_id)
            """;

    public boolean endpointPaused(String endpointId) {
        return jdbi.withHandle(h -> h.createQuery("select exists (select 1 from endpoint_pause where endpoint_id = :id)")
                .bind("id", endpointId).mapTo(Boolean.class).one());
    }

    public void setDeliveryPaused(boolean paused, Instant now) {
        jdbi.useHandle(h -> {
            if (paused) {
                h.createUpdate("insert into herald_flag (name, set_at) values (:name, :now) on conflict do nothing")
                        .bind("name", DELIVERY_PAUSED).bind("now", now).execute();
            } else {
                h.createUpdate("delete from herald_flag where name = :name").bind("name", DELIVERY_PAUSED).execute();
            }
        });
    }

    public boolean deliveryPaused() {
        return jdbi.withHandle(h -> h.createQuery("select exists (select 1 from herald_flag where name = :name)")
                .bind("name", DELIVERY_PAUSED).mapTo(Boolean.class).one());
    }
}
