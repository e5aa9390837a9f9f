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

    public void pauseEndpoint(String endpointId, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("""
                insert into endpoint_pause (endpoint_id, paused_at) values (:id, :now) on conflict do nothing
                """).bind("id", endpointId).bind("now", now).execute());
    }

    public void resumeEndpoint(String endpointId) {
        jdbi.useHandle(h -> h.createUpdate("delete from endpoint_pause where endpoint_id = :id").bind("id", endpointId).execute());
    }

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
