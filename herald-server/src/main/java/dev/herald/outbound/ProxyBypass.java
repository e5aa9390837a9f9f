package dev.herald.outbound;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Receivers that are sent to directly although a proxy is set ({@code HERALD_NO_PROXY}, as svix-server's no-proxy list): host names,
 * each matching itself and its subdomains ({@code example.com} and {@code .example.com} alike), and IP addresses or
 * CIDR ranges, which match receivers written as addresses (names are not resolved to decide). Whatever goes direct is
 * vetted by the address guard at connect, as without a proxy.
 */
public final class ProxyBypass {
    public static final ProxyBypass NONE = new ProxyBypass(List.of(), List.of());

    private final List<String> domains;
    private final List<IPAddress> ranges;

    private ProxyBypass(List<String> domains, List<IPAddress> ranges) {
        this.domains = domains;
        this.ranges = ranges;
    }

    /** @throws IllegalArgumentException naming an entry that is neither a host name nor an address or range */
    public static ProxyBypass parse(List<String> entries) {
        var domains = new ArrayList<String>();
        var ranges = new ArrayList<IPAddress>();
        for (String raw : entries) {
            String entry = raw.strip().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) continue;
            IPAddress range = new IPAddressString(entry).getAddress();
            if (range != null) {
                ranges.add(range.toPrefixBlock());
            } else if (entry.matches("\\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
                domains.add(entry.startsWith(".") ? entry.substring(1) : entry);
            } else {
                throw new IllegalArgumentException("'" + raw.strip() + "' is neither a host name nor an IP address or range");
            }
        }
        return new ProxyBypass(List.copyOf(domains), List.copyOf(ranges));
    }

    /** Whether a request to {@code host} (as the URL names it) goes direct. */
    public boolean bypasses(String host) {
        String bare = GuardedAddressResolver.unbracketed(host);
        String name = bare.toLowerCase(Locale.ROOT);
        for (String domain : domains) {
            if (name.equals(domain) || name.endsWith("." + domain)) return true;
        }
        if (ranges.isEmpty()) return false;
        IPAddress address = new IPAddressString(bare).getAddress();
        if (address == null) return false;
        for (IPAddress range : ranges) {
            if (range.contains(address)) return true;
        }
        return false;
    }
}
