package dev.herald.outbound;

/**
 * Whether an address may be connected to, with a reason a human can act on, e.g.
 * {@code "blocked address 10.0.0.1 (private range)"}, and for a blocked one the label of its range.
 */
public record AddressVerdict(boolean allowed, String reason, String blockedRange) {

    static AddressVerdict allow(String reason) {
        return new AddressVerdict(true, reason, null);
    }

    static AddressVerdict block(String shownAddress, String blockedRange) {
        return new AddressVerdict(false, "blocked address " + shownAddress + " (" + blockedRange + ")", blockedRange);
    }

    public boolean blocked() {
        return !allowed;
    }

    /**
     * The refusal of a connection to a host name that resolved to this address: its range but not the address, which
     * goes into the attempt a tenant reads (an internal name's address is the network's, not the tenant's to learn).
     */
    String reasonFor(String hostName) {
        return "blocked address of " + hostName + " (" + blockedRange + ")";
    }
}
