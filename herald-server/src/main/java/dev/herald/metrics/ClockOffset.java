package dev.herald.metrics;

import dev.herald.logging.LogThrottle;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far this node's clock is from the database's, measured at start and every {@link #INTERVAL}, as
 * {@code herald_clock_offset_seconds} (positive: this node is ahead), with a warning while it is off by
 * {@link #WARN_AT} or more. Each node reads its own clock to lease deliveries and to tell when a lease or a retry
 * falls due, so nodes whose clocks disagree by more than {@code HERALD_DELIVERY_LEASE} take deliveries still in flight
 * on another node and send them twice, and one running behind sends its retries late. The database's clock is the one
 * every node can compare itself with.
 */
public final class ClockOffset implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClockOffset.class);
    /** How often the offset is measured again: one query. */
    static final Duration INTERVAL = Duration.ofMinutes(1);
    /** An offset NTP would never leave (milliseconds, on hosts it keeps): worth an operator's look. */
    static final Duration WARN_AT = Duration.ofSeconds(2);

    private final Jdbi jdbi;
    private final Clock clock;
    private final Duration lease;
    private final LogThrottle warnings;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("herald-clock-offset").daemon().unstarted(r));
    /** The last measured offset in seconds; NaN before the first measurement, or while the database is out of reach. */
    private volatile double lastSeconds = Double.NaN;
    private volatile boolean warned;

    public ClockOffset(Jdbi jdbi, Clock clock, Duration lease) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.lease = lease;
        this.warnings = new LogThrottle(Duration.ofMinutes(10));
    }

    public ClockOffset register(MeterRegistry registry) {
        Gauge.builder("herald.clock.offset", this, c -> c.lastSeconds).baseUnit("seconds")
                .description("this node's clock minus the database's (positive: ahead), measured every minute")
                .register(registry);
        return this;
    }

    /** Measures now (so that a node started with a clock far off says so at once), then every {@link #INTERVAL}. */
    public ClockOffset start() {
        measureSafely();
        scheduler.scheduleWithFixedDelay(this::measureSafely, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void measureSafely() {
        try {
            measure();
        } catch (RuntimeException e) {
            lastSeconds = Double.NaN; // an old figure would say the clocks agree while nobody knows
            log.debug("clock offset not measured: {}", e.toString());
        }
    }

    /**
     * One measurement: the database's clock read between two readings of this node's, which is taken at their midpoint
     * (off by at most half the round trip). Logs a warning while the offset is {@link #WARN_AT} or more.
     */
    Duration measure() {
        Instant before = clock.instant();
        Instant database = jdbi.withHandle(h -> h.createQuery("select clock_timestamp()").mapTo(Instant.class).one());
        Instant after = clock.instant();
        Instant node = before.plus(Duration.between(before, after).dividedBy(2));
        Duration offset = Duration.between(database, node);
        lastSeconds = offset.toNanos() / 1e9;
        var warning = warning(offset, lease);
        if (warning.isPresent()) {
            warned = true;
            long leftOut = warnings.admit();
            if (leftOut >= 0) log.warn(warning.get());
        } else if (warned) {
            warned = false;
            log.info("this node's clock is back within {} s of the database's ({})", WARN_AT.toSeconds(), describe(offset));
        }
        return offset;
    }

    /** The last measurement, for the dashboard: empty before the first, or while the database is out of reach. */
    public java.util.Optional<Duration> last() {
        double seconds = lastSeconds;
        return Double.isNaN(seconds) ? Optional.empty() : Optional.of(Duration.ofNanos((long) (seconds * 1e9)));
    }

    /** Whether {@code offset} is one the node warns of. */
    public static boolean worthAWarning(Duration offset) {
        return offset.abs().compareTo(WARN_AT) >= 0;
    }

    /** What an operator is told of an offset, if anything. */
    static Optional<String> warning(Duration offset, Duration lease) {
        if (!worthAWarning(offset)) return Optional.empty();
        String text = "this node's clock is " + describe(offset) + ": keep every node's clock in sync (NTP); ";
        if (offset.abs().compareTo(lease) >= 0) {
            return Optional.of(text + "off by HERALD_DELIVERY_LEASE (" + lease.toSeconds() + " s) or more, "
                    + (offset.isNegative() ? "nodes whose clocks are right take over the deliveries this one is still sending"
                    : "this node takes over deliveries still in flight on nodes whose clocks are right")
                    + ", and those are sent twice");
        }
        return Optional.of(text + "a node's own clock decides when its retries and leases fall due");
    }

    /** "1.5 s ahead of the database's", "0.0 s behind the database's". */
    public static String describe(Duration offset) {
        return String.format(java.util.Locale.ROOT, "%.1f s %s the database's", offset.abs().toMillis() / 1000.0,
                offset.isNegative() ? "behind" : "ahead of");
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
