package dev.herald.client.outbox;

/**
 * A kill switch, read on every use so it can be flipped at run time. On {@link HeraldOutbox} it gates writes
 * (off: publish writes nothing, for rolling the outbox out); on {@link OutboxRelay} it gates sending (off: rows
 * wait in the table, nothing is lost, and sending resumes when it is back on).
 */
@FunctionalInterface
public interface FeatureFlag {
    FeatureFlag ON = () -> true;

    boolean enabled();

    static FeatureFlag of(boolean enabled) {
        return () -> enabled;
    }
}
