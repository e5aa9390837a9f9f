package dev.herald.outbound;

import inet.ipaddr.AddressStringParameters.RangeParameters;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads a URL host as a name or an IP literal in any notation a resolver might accept.
 *
 * <p>SSRF filters are classically bypassed with odd IPv4 spellings ({@code 2130706433},
 * {@code 0x7f.1}, {@code 0177.0.0.1}, {@code 127.1}) that resolvers still honour. We parse every
 * inet_aton form, and where leading zeros make a spelling ambiguous ({@code 010.0.0.1} is 8.0.0.1
 * to glibc but 10.0.0.1 to parsers that ignore octal) we return both readings so the caller can
 * refuse if either is blocked.
 */
final class HostLiteralParser {

    /**
     * The WHATWG URL rule: a host whose last label is a number (decimal or 0x-hex) is an IPv4
     * literal or invalid, never a DNS name.
     */
    private static final Pattern NUMERIC_LAST_LABEL = Pattern.compile("(?:^|\\.)(?:[0-9]+|0x[0-9a-f]*)$");

    /** inet_aton as glibc and browsers read it: 0x hex, leading-zero octal, one to four parts. */
    private static final IPAddressStringParameters IPV4_LEADING_ZERO_OCTAL = ipv4(true);
    /** The same, but leading zeros are decimal. */
    private static final IPAddressStringParameters IPV4_LEADING_ZERO_DECIMAL = ipv4(false);
    private static final IPAddressStringParameters IPV6 = ipv6();

    private HostLiteralParser() {
    }

    static HostLiteral parse(String host) {
        String normalized = host.toLowerCase(Locale.ROOT);
        if (normalized.endsWith(".") && normalized.length() > 1) {
            normalized = normalized.substring(0, normalized.length() - 1); // FQDN spelling, same host
        }
        if (normalized.startsWith("[") || normalized.contains(":")) {
            return parseIpv6(normalized);
        }
        if (NUMERIC_LAST_LABEL.matcher(normalized).find()) {
            return parseIpv4(normalized);
        }
        return new HostLiteral.Name(normalized);
    }

    private static HostLiteral parseIpv6(String host) {
        String inner = host;
        if (inner.startsWith("[")) {
            if (!inner.endsWith("]")) {
                return new HostLiteral.Malformed("invalid IPv6 literal " + host);
            }
            inner = inner.substring(1, inner.length() - 1);
        }
        int zone = inner.indexOf('%'); // fe80::1%25eth0 in URLs; a zone does not change the range
        if (zone >= 0) {
            inner = inner.substring(0, zone);
        }
        IPAddress address = new IPAddressString(inner, IPV6).getAddress();
        return address == null
                ? new HostLiteral.Malformed("invalid IPv6 literal " + host)
                : new HostLiteral.Addresses(List.of(address));
    }

    private static HostLiteral parseIpv4(String host) {
        // the inet_aton reading (glibc, browsers) decides validity: "08.1.1.1" is no address there
        IPAddress standard = new IPAddressString(host, IPV4_LEADING_ZERO_OCTAL).getAddress();
        if (standard == null) {
            return new HostLiteral.Malformed("invalid IPv4 literal " + host);
        }
        IPAddress decimal = new IPAddressString(host, IPV4_LEADING_ZERO_DECIMAL).getAddress();
        return new HostLiteral.Addresses(decimal == null || decimal.equals(standard)
                ? List.of(standard)
                : List.of(standard, decimal));
    }

    private static IPAddressStringParameters ipv4(boolean leadingZeroIsOctal) {
        IPAddressStringParameters.Builder builder = singleAddressOnly().allowIPv6(false);
        builder.getIPv4AddressParametersBuilder()
                .allow_inet_aton_hex(true)
                .allow_inet_aton_octal(leadingZeroIsOctal)
                .allow_inet_aton_joined_segments(true)
                .allow_inet_aton_leading_zeros(true)
                .allowLeadingZeros(true)
                .allowWildcardedSeparator(false)
                .setRangeOptions(RangeParameters.NO_RANGE);
        return builder.toParams();
    }

    private static IPAddressStringParameters ipv6() {
        IPAddressStringParameters.Builder builder = singleAddressOnly().allowIPv4(false);
        builder.getIPv6AddressParametersBuilder()
                .allowZone(false)
                .allowWildcardedSeparator(false)
                .setRangeOptions(RangeParameters.NO_RANGE);
        return builder.toParams();
    }

    /** One address: no prefixes, masks, wildcards or empty strings. */
    private static IPAddressStringParameters.Builder singleAddressOnly() {
        return new IPAddressStringParameters.Builder()
                .allowEmpty(false)
                .allowAll(false)
                .allowPrefix(false)
                .allowMask(false)
                .allowPrefixOnly(false)
                .allowSingleSegment(true)
                .allow_inet_aton(true);
    }
}
