package dev.herald.outbound;

/**
 * Whether an address may be connected to, with a reason a human can act on, e.g.
 * {@code "blocked address 10.0.0.1 (private range)"}.
 */
public record AddressVerdict(boolean allowed, String reason) {

    static AddressVerdict allow(String reason) {
        return new AddressVerdict(true, reason);
    }

    static AddressVerdict block(String reason) {
        return new AddressVerdict(false, reason);
    }

    public boolean blocked() {
        return !allowed;
    }
}
