package dev.herald.client.outbox;

import dev.herald.client.HeraldApiException;
import dev.herald.client.HeraldClient;
import dev.herald.client.HeraldConflictException;
import dev.herald.client.HeraldException;
import dev.herald.client.HeraldNotFoundException;
import java.time.Clock;

/** Publishes one claimed row to Herald and says what came of it. Never throws: every failure is a retry. */
final class EventSender {
    private final HeraldClient herald;
    private final RelaySettings settings;
    private final Clock clock;

    EventSender(HeraldClient herald, RelaySettings settings, Clock clock) {
        this.herald = herald;
        this.settings = settings;
        this.clock = clock;
    }

    RelayOutcome send(ClaimedEvent event) {
        try {
            var message = herald.messages().create(event.appId(), event.toMessage(), event.idempotencyKey());
            return new RelayOutcome.Sent(message.id(), false);
        } catch (HeraldConflictException conflict) {
            return confirmDuplicate(event, conflict);
        } catch (HeraldException | IllegalArgumentException e) {
            // a 4xx will not heal by itself, but dropping the event would lose it: keep it, visible in last_error
            return retry(event, e.getMessage());
        }
    }

    /**
     * 409 means either Herald already has this eventId (an earlier try got through; the relay may have died
     * before marking it) or a try with the same key is still running elsewhere. Only the first is "sent":
     * look the message up by its eventId to tell them apart.
     */
    private RelayOutcome confirmDuplicate(ClaimedEvent event, HeraldConflictException conflict) {
        try {
            var existing = herald.messages().get(event.appId(), event.eventId());
            // another event that took the same eventId (one id for order.created and order.paid): this one was never
            // published, and marking it sent would drop it unseen; kept, with the reason in last_error
            if (!java.util.Objects.equals(existing.eventType(), event.eventType())) {
                return retry(event, "eventId " + event.eventId() + " is taken by message " + existing.id() + " of type "
                        + existing.eventType() + ", not " + event.eventType() + ": give each event an eventId of its own");
            }
            return new RelayOutcome.Sent(existing.id(), true);
        } catch (HeraldNotFoundException stillRunning) {
            return retry(event, "409 from Herald and no message with this eventId yet: " + conflict.detail());
        } catch (HeraldException e) {
            return retry(event, "409 from Herald, and looking the eventId up failed: " + e.getMessage());
        }
    }

    private RelayOutcome retry(ClaimedEvent event, String reason) {
        return new RelayOutcome.RetryAt(clock.instant().plus(settings.backoffAfter(event.attempts())), reason);
    }
}
