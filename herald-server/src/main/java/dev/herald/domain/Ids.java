package dev.herald.domain;

import com.github.f4b6a3.ksuid.Ksuid;
import com.github.f4b6a3.ksuid.KsuidFactory;
import java.time.Instant;

/** Prefixed, time-sortable ids in Svix's shape: {@code app_} + a 27-character KSUID. */
public final class Ids {
    public static final String APP = "app_";
    public static final String ENDPOINT = "ep_";
    public static final String MESSAGE = "msg_";
    public static final String ATTEMPT = "atmpt_";
    public static final String TOKEN = "tok_";
    public static final String TASK = "qtask_";
    public static final String INTEGRATION = "integ_";
    public static final String POLLER = "poll_";
    public static final String AUTOCONFIG = "acfg_";
    /** Svix names connectors transformation templates. */
    public static final String CONNECTOR = "trtmpl_";

    private Ids() {}

    /**
     * One maker per prefix, each ordering its ids within a second too (KsuidCreator's monotonic ids; its lock makes it
     * safe from every thread): one for all would give an attempt begun a moment before a message was published that
     * message's second.
     */
    private static final java.util.Map<String, KsuidFactory> MAKERS = new java.util.concurrent.ConcurrentHashMap<>();

    /** An id for a row whose time is not read from its id (tokens, applications, endpoints). */
    public static String next(String prefix) {
        return next(prefix, Instant.now());
    }

    /**
     * An id of the second {@code at}: the row's own time (a message's createdAt, an attempt's timestamp), so that time
     * bounds read through ids ({@link #firstAt}) agree with the times shown, whatever the node's clock reads (the
     * injected one included). A time up to 10 s before the last id's keeps that id's second, so ids still ascend.
     */
    public static String next(String prefix, Instant at) {
        var second = Instant.ofEpochSecond(Math.clamp(at.getEpochSecond(), FIRST_SECOND, LAST_SECOND)); // as firstAt
        return prefix + MAKERS.computeIfAbsent(prefix, p -> KsuidFactory.newMonotonicInstance()).create(second);
    }

    private static final long FIRST_SECOND = Ksuid.EPOCH_OFFSET;
    private static final long LAST_SECOND = Ksuid.EPOCH_OFFSET + 0xFFFFFFFFL;

    /**
     * The lowest id made in the given second or later: ids order by the second they were made in, so an index on ids
     * serves a range of times. Times outside what a KSUID can hold (before 2014-05-13, after 2150) are clamped to it.
     */
    public static String firstAt(String prefix, Instant time) {
        long second = Math.clamp(time.getEpochSecond(), FIRST_SECOND, LAST_SECOND);
        return prefix + new Ksuid(second, new byte[Ksuid.PAYLOAD_BYTES]);
    }
}
