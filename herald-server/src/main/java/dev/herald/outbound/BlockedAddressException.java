package dev.herald.outbound;

import java.io.IOException;

/** A connection was refused by {@link AddressGuard} before any packet was sent. */
public final class BlockedAddressException extends IOException {

    public BlockedAddressException(String reason) {
        super(reason);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // an expected outcome, not a bug: the stack trace would only be noise
    }
}
