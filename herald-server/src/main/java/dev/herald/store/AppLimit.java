package dev.herald.store;

import dev.herald.domain.ConflictException;
import dev.herald.domain.NotFoundException;
import org.jdbi.v3.core.Handle;

/**
 * A per-application limit on rows of one kind (endpoints, polling endpoints, AutoConfig tokens), checked inside the
 * transaction that inserts the next one, under a row lock on the application: concurrent creates cannot pass the
 * limit together (no count-then-insert race).
 */
final class AppLimit {
    private AppLimit() {}

    /**
     * Locks the application and refuses, with {@code limit_reached}, when it has {@code max} rows of {@code table}
     * already ({@code table} is one of this package's own, never input).
     */
    static void check(Handle h, String appId, String table, int max, String refusal) {
        boolean appExists = h.createQuery("select true from application where id = :app for update")
                .bind("app", appId).mapTo(Boolean.class).findOne().isPresent();
        if (!appExists) throw new NotFoundException("application");
        int count = h.createQuery("select count(*) from " + table + " where app_id = :app")
                .bind("app", appId).mapTo(Integer.class).one();
        if (count >= max) throw new ConflictException("limit_reached", refusal);
    }
}
