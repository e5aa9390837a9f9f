package dev.herald.domain;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * A URL's host, port and user information, read as libpq and svix-server (the WHATWG URL standard) read them.
 * {@link URI} takes a host only if every label is an RFC 2396 hostname label: a name with an underscore
 * ({@code webhook_receiver}, {@code herald_db}: how Docker Compose and Kubernetes name services) or a last label
 * starting with a digit makes it a "registry" authority, with no host, port or user information. Such a name is taken
 * here when it is made only of letters, digits, dots, hyphens and underscores; anything else a registry authority may
 * hold is not.
 */
public final class UrlHosts {
    private static final Pattern NAME_AND_PORT = Pattern.compile("([A-Za-z0-9_.-]+)(?::([0-9]*))?");
    /** One more digit than a port has, so a long run of digits is refused without overflowing an int. */
    private static final int MAX_PORT_DIGITS = 6;

    private UrlHosts() {}

    /** The URL's host as written (brackets kept around an IPv6 literal), or null when it has none. */
    public static String host(URI url) {
        if (url.getHost() != null) return url.getHost();
        var registry = registryAuthority(url);
        return registry == null ? null : registry.host();
    }

    /** The URL's port, or -1 when none is written; a port too long to be one reads as 65,536 (out of range). */
    public static int port(URI url) {
        if (url.getHost() != null) return url.getPort();
        var registry = registryAuthority(url);
        return registry == null ? -1 : registry.port();
    }

    /** The URL's user information as written ({@code user:password}), or null when it has none. */
    public static String rawUserInfo(URI url) {
        if (url.getHost() != null) return url.getRawUserInfo();
        var registry = registryAuthority(url);
        return registry == null ? null : registry.rawUserInfo();
    }

    private record RegistryAuthority(String rawUserInfo, String host, int port) {}

    private static RegistryAuthority registryAuthority(URI url) {
        String authority = url.getRawAuthority();
        if (authority == null) return null;
        int at = authority.lastIndexOf('@');
        // a second @ is one left raw in a password (%40 is how one is written): no reading of it is sure
        if (at > 0 && authority.lastIndexOf('@', at - 1) >= 0) return null;
        var matcher = NAME_AND_PORT.matcher(authority.substring(at + 1));
        if (!matcher.matches()) return null;
        String digits = matcher.group(2);
        int port = digits == null || digits.isEmpty() ? -1
                : digits.length() >= MAX_PORT_DIGITS ? 65_536 : Integer.parseInt(digits);
        return new RegistryAuthority(at >= 0 ? authority.substring(0, at) : null, matcher.group(1), port);
    }
}
