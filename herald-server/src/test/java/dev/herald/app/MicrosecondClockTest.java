package dev.herald.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MicrosecondClockTest {
    @Test
    void reads_the_base_clock_to_the_microsecond_and_its_millis_as_they_are() {
        var clock = new MicrosecondClock(Clock.fixed(Instant.parse("2026-05-01T10:00:00.123456789Z"), ZoneOffset.UTC));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-05-01T10:00:00.123456Z"));
        assertThat(clock.millis()).isEqualTo(Instant.parse("2026-05-01T10:00:00.123Z").toEpochMilli());
        assertThat(clock.withZone(ZoneOffset.ofHours(2)).instant()).isEqualTo(Instant.parse("2026-05-01T10:00:00.123456Z"));
    }
}
