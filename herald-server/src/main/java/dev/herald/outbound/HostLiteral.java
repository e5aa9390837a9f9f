package dev.herald.outbound;

import inet.ipaddr.IPAddress;
import java.util.List;

/** What a URL host string denotes; produced by {@link HostLiteralParser}. */
sealed interface HostLiteral {

    /** A host name, to be judged after DNS resolution. */
    record Name(String name) implements HostLiteral {
    }

    /** One or more readings of an IP literal; more than one only when the spelling is ambiguous. */
    record Addresses(List<IPAddress> addresses) implements HostLiteral {
    }

    /** Looks like an IP literal but is not a valid one. */
    record Malformed(String reason) implements HostLiteral {
    }
}
