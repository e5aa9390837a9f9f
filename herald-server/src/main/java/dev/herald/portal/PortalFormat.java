package dev.herald.portal;

import dev.herald.domain.DeliveryStatus;
import dev.herald.routing.PayloadJson;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How the portal's templates show times, statuses and payloads. */
public final class PortalFormat {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private PortalFormat() {}

    public static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    public static String status(int status) {
        return DeliveryStatus.text(status);
    }

    /** A stored payload indented for reading; the text as stored if it will not parse (it always should). */
    public static String pretty(String json) {
        try {
            return PayloadJson.parse(json).toPrettyString();
        } catch (IllegalArgumentException e) {
            return json;
        }
    }
}
