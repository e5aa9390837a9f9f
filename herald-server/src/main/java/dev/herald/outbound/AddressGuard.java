package dev.herald.outbound;

import inet.ipaddr.AddressStringException;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether Herald may open a connection to an address, so that webhook URLs cannot be used
 * to reach the machine itself, the private network or cloud metadata services (SSRF).
 *
 * <p>Everything that is not public unicast is blocked, unless an operator whitelisted a subnet
 * (e.g. {@code 127.0.0.0/8} for local development). The connect-time check on resolved addresses
 * ({@link #check(InetAddress)}) is the security boundary; {@link #refusalForUrlHost(String)} only
 * rejects obviously bad URLs early, when an endpoint is created.
 */
public final class AddressGuard {

    private static final IPAddress LOOPBACK_V4 = new IPAddressString("127.0.0.1").getAddress();

    private final List<IPAddress> whitelist;

    /**
     * @param whitelistCidrs subnets that may be reached even if they are in a blocked range, such
     *     as {@code 127.0.0.0/8} or {@code 10.1.2.3}; blank entries are ignored
     * @throws IllegalArgumentException if an entry is not an IP address or subnet
     */
    public AddressGuard(List<String> whitelistCidrs) {
        List<IPAddress> parsed = new ArrayList<>();
        for (String cidr : whitelistCidrs) {
            if (!cidr.isBlank()) {
                parsed.add(parseSubnet(cidr.strip()));
            }
        }
        this.whitelist = List.copyOf(parsed);
    }

    /** A guard built from a comma separated list, the shape of {@code HERALD_WHITELIST_SUBNETS}. */
    public static AddressGuard fromCommaSeparated(String whitelistCidrs) {
        if (whitelistCidrs == null) {
            return new AddressGuard(List.of());
        }
        return new AddressGuard(Arrays.asList(whitelistCidrs.split(",")));
    }

    /** The whitelisted subnets in CIDR notation, for logging the effective configuration. */
    public List<String> whitelist() {
        return whitelist.stream().map(IPAddress::toCanonicalString).toList();
    }

    /** Whether a resolved address may be connected to. */
    public AddressVerdict check(InetAddress address) {
        return check(toIpAddress(address));
    }

    AddressVerdict check(IPAddress address) {
        String shown = address.toCompressedString();
        Optional<String> whitelistedBy = whitelistEntryFor(address);
        if (whitelistedBy.isPresent()) {
            return AddressVerdict.allow("address " + shown + " whitelisted by " + whitelistedBy.get());
        }
        return blockLabel(address)
                .map(label -> AddressVerdict.block(shown, label))
                .orElseGet(() -> AddressVerdict.allow("address " + shown + " is public"));
    }

    /**
     * Refuses, at endpoint creation, a URL host that is an IP literal (in any notation a resolver
     * might accept) of a blocked address, or a name that can only mean a local machine. Ordinary
     * names give empty: they are checked after DNS, at connect time.
     *
     * @param host the host part of a URL, IPv6 optionally in brackets
     * @return the reason for refusal, or empty if the host may be used
     */
    public Optional<String> refusalForUrlHost(String host) {
        if (host == null || host.isBlank()) {
            return Optional.of("URL has no host");
        }
        return switch (HostLiteralParser.parse(host)) {
            case HostLiteral.Malformed malformed -> Optional.of(malformed.reason());
            case HostLiteral.Addresses literal -> literal.addresses().stream()
                    .map(this::check)
                    .filter(AddressVerdict::blocked)
                    .map(AddressVerdict::reason)
                    .findFirst();
            case HostLiteral.Name name -> refusalForName(name.name());
        };
    }

    private Optional<String> refusalForName(String name) {
        if (ReservedHostNames.isLoopbackName(name) && check(LOOPBACK_V4).blocked()) {
            return Optional.of("blocked host name " + name + " (loopback)");
        }
        // With a whitelist the operator runs Herald inside a private network on purpose, so such
        // names are left to the connect-time check of what they resolve to.
        if (ReservedHostNames.isPrivateUseName(name) && whitelist.isEmpty()) {
            return Optional.of("blocked host name " + name + " (private-use name)");
        }
        return Optional.empty();
    }

    /** The label of the blocked range the address is in, if any, looking inside IPv4 wrappers. */
    private Optional<String> blockLabel(IPAddress address) {
        if (whitelistEntryFor(address).isPresent()) {
            return Optional.empty();
        }
        if (address instanceof IPv6Address v6) {
            // these prefixes only carry an IPv4 address to the IPv4 internet: judge that address
            String wrapper = v6.isIPv4Mapped() ? "IPv4-mapped" : v6.isWellKnownIPv4Translatable() ? "NAT64" : null;
            if (wrapper != null) {
                IPv4Address embedded = v6.getEmbeddedIPv4Address();
                return blockLabel(embedded).map(label -> wrapper + " " + embedded + ": " + label);
            }
        }
        return BlockedRanges.labelFor(address);
    }

    /**
     * The whitelist entry letting {@code address} through. A cloud's metadata service needs an entry naming it alone:
     * whitelisting a range for internal receivers (100.64.0.0/10, fd00::/8) opened the metadata addresses inside it,
     * whose answers (credentials) an attempt's response would show the tenant.
     */
    private Optional<String> whitelistEntryFor(IPAddress address) {
        boolean metadata = BlockedRanges.isCloudMetadata(address)
                || (address instanceof IPv6Address v6 && (v6.isIPv4Mapped() || v6.isWellKnownIPv4Translatable())
                    && BlockedRanges.isCloudMetadata(v6.getEmbeddedIPv4Address()));
        return whitelist.stream()
                .filter(subnet -> subnet.contains(address))
                .filter(subnet -> !metadata || subnet.getCount().equals(java.math.BigInteger.ONE))
                .map(IPAddress::toCanonicalString)
                .findFirst();
    }

    private static IPAddress toIpAddress(InetAddress address) {
        return switch (address) {
            case Inet4Address v4 -> new IPv4Address(v4);
            // a scope id (fe80::1%eth0) does not change which range the address is in
            case Inet6Address v6 -> new IPv6Address(v6.getAddress());
            default -> throw new IllegalArgumentException("unknown address type " + address);
        };
    }

    private static IPAddress parseSubnet(String cidr) {
        try {
            IPAddress address = new IPAddressString(cidr).toAddress();
            // "*" and a prefix alone ("/8") parse, as every address and as a mask, but name no range of addresses
            if (address == null) throw notARange(cidr, null);
            return address.toPrefixBlock();
        } catch (AddressStringException e) {
            throw notARange(cidr, e); // the library's words ("A mask must be a single IP address, while…") helped nobody
        }
    }

    private static IllegalArgumentException notARange(String cidr, Exception cause) {
        return new IllegalArgumentException("invalid whitelist subnet '" + cidr
                + "': not an IP address or a CIDR range (like 10.0.0.0/8, 127.0.0.1 or fd00::/8)", cause);
    }
}
