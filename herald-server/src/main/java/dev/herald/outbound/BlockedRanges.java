package dev.herald.outbound;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.List;
import java.util.Optional;

/**
 * The catalogue of address ranges a webhook must never reach: everything that is not a plain
 * public unicast address. Ordered so the most specific label wins (cloud metadata before
 * link-local, loopback before IPv4-compatible).
 *
 * <p>Two IPv6 prefixes that merely wrap an IPv4 address (IPv4-mapped and the NAT64 well-known
 * prefix) are not listed here: {@link AddressGuard} unwraps them and judges the IPv4 inside.
 */
final class BlockedRanges {

    private record Range(IPAddress block, String label) {
    }

    static final String CLOUD_METADATA = "cloud metadata";

    private static final List<Range> RANGES = List.of(
            // IPv4
            range("169.254.169.254/32", CLOUD_METADATA),
            range("169.254.170.2/32", CLOUD_METADATA), // AWS ECS task credentials
            range("169.254.170.23/32", CLOUD_METADATA), // AWS EKS Pod Identity
            range("100.100.100.200/32", CLOUD_METADATA),
            range("0.0.0.0/8", "unspecified"),
            range("127.0.0.0/8", "loopback"),
            range("10.0.0.0/8", "private range"),
            range("172.16.0.0/12", "private range"),
            range("192.168.0.0/16", "private range"),
            range("169.254.0.0/16", "link-local"),
            range("100.64.0.0/10", "carrier-grade NAT"),
            range("192.0.0.0/24", "IETF protocol assignments"),
            range("192.0.2.0/24", "documentation"),
            range("198.51.100.0/24", "documentation"),
            range("203.0.113.0/24", "documentation"),
            range("198.18.0.0/15", "benchmarking"),
            range("192.88.99.0/24", "6to4 relay anycast"),
            range("224.0.0.0/4", "multicast"),
            range("255.255.255.255/32", "broadcast"),
            range("240.0.0.0/4", "reserved"),
            // IPv6
            range("fd00:ec2::254/128", CLOUD_METADATA),
            range("fd00:ec2::23/128", CLOUD_METADATA), // AWS EKS Pod Identity
            range("fd20:ce::254/128", CLOUD_METADATA), // Google Cloud
            range("::/128", "unspecified"),
            range("::1/128", "loopback"),
            range("::/96", "IPv4-compatible IPv6"),
            range("64:ff9b:1::/48", "local-use NAT64"),
            range("100::/64", "discard-only"),
            range("2001::/32", "Teredo"),
            range("2001:2::/48", "benchmarking"),
            range("2001::/23", "IETF protocol assignments"),
            range("2001:db8::/32", "documentation"),
            range("3fff::/20", "documentation"),
            range("2002::/16", "6to4"),
            range("fc00::/7", "unique local"),
            range("fe80::/10", "link-local"),
            range("fec0::/10", "site-local"),
            range("ff00::/8", "multicast"));

    /** All public IPv6 space is allocated from here; anything outside is special-purpose. */
    private static final IPAddress GLOBAL_UNICAST_V6 = new IPAddressString("2000::/3").getAddress();

    private BlockedRanges() {
    }

    /** A cloud's metadata or credentials service: whitelisted only by an entry naming that one address. */
    static boolean isCloudMetadata(IPAddress address) {
        return labelFor(address).filter(CLOUD_METADATA::equals).isPresent();
    }

    /** The label of the first blocked range holding the address, if any. */
    static Optional<String> labelFor(IPAddress address) {
        for (Range range : RANGES) {
            if (range.block().contains(address)) {
                return Optional.of(range.label());
            }
        }
        if (address.isIPv6() && !GLOBAL_UNICAST_V6.contains(address)) {
            return Optional.of("not global unicast");
        }
        return Optional.empty();
    }

    private static Range range(String cidr, String label) {
        return new Range(new IPAddressString(cidr).getAddress().toPrefixBlock(), label);
    }
}
