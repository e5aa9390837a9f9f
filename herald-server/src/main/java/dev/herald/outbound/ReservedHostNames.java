package dev.herald.outbound;

import java.util.List;
import java.util.Set;

/** Host names that only ever mean "this machine" or "this private network". */
final class ReservedHostNames {

    /** RFC 6761 says localhost and *.localhost are loopback; the others are common aliases. */
    private static final Set<String> LOOPBACK_NAMES =
            Set.of("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback");

    /** mDNS (.local), the ICANN private-use TLD (.internal, e.g. metadata.google.internal), RFC 8375. */
    private static final List<String> PRIVATE_USE_SUFFIXES = List.of(".local", ".internal", ".home.arpa", ".localdomain");

    private ReservedHostNames() {
    }

    /** @param name lower-case, without trailing dot */
    static boolean isLoopbackName(String name) {
        return LOOPBACK_NAMES.contains(name) || name.endsWith(".localhost");
    }

    /** @param name lower-case, without trailing dot */
    static boolean isPrivateUseName(String name) {
        for (String suffix : PRIVATE_USE_SUFFIXES) {
            if (name.endsWith(suffix) || name.equals(suffix.substring(1))) {
                return true;
            }
        }
        return false;
    }
}
