package dev.herald.app;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;

/**
 * A clock read to the microsecond, as PostgreSQL keeps times (it rounds the rest): an answer made from the clock then
 * reads as every later read of what it wrote. Not {@code Clock.tick(clock, 1 µs)}: on JDK 21 builds without
 * JDK-8310232 that clock's {@code millis()} divides by zero for a tick under a millisecond.
 */
final class MicrosecondClock extends Clock {
    private final Clock base;

    MicrosecondClock(Clock base) {
        this.base = base;
    }

    @Override
    public Instant instant() {
        return base.instant().truncatedTo(ChronoUnit.MICROS);
    }

    @Override
    public long millis() {
        return base.millis();
    }

    @Override
    public ZoneId getZone() {
        return base.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new MicrosecondClock(base.withZone(zone));
    }
}
