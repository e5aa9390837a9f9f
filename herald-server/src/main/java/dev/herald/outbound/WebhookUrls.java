package dev.herald.outbound;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The host and port of a URL Herald sends to, read as svix-server reads them (the WHATWG URL standard, Rust's url
 * crate). {@link URI} takes a host only if every label is an RFC 2396 hostname label: a name with an underscore
 * ({@code http://webhook_receiver:8080/}, as Docker Compose and Kubernetes name services) or a last label starting
 * with a digit is read as a "registry" authority, with no host and no port. Such a name is taken here when it is
 * made only of letters, digits, dots, hyphens and underscores; anything else a registry authority may hold is not.
 */
public final class WebhookUrls {
    private static final Pattern NAME_AND_PORT = Pattern.compile("([A-Za-z0-9_.-]+)(?::([0-9]*))?");
    /** One more digit than a port has, so a long run of digits is refused without overflowing an int. */
    private static final int MAX_PORT_DIGITS = 6;

    private WebhookUrls() {}

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

    /** The port a request to the URL connects to: the written one, else the scheme's. */
    public static int effectivePort(URI url) {
        int port = port(url);
        if (port != -1) return port;
        return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    /**
     * What makes the URL one Herald cannot send to, worded as "URL ...": not http or https, credentials, no host, a
     * port out of range. The address guard's verdict on the host is {@link UrlPolicy}'s.
     */
    public static Optional<String> problem(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) return Optional.of("URL scheme must be http or https");
        // a registry authority has no user info of its own: an @ in it is one, whatever follows
        if (url.getRawUserInfo() != null || (url.getHost() == null && url.getRawAuthority() != null
                && url.getRawAuthority().contains("@"))) {
            return Optional.of("URL must not contain credentials");
        }
        String host = host(url);
        if (host == null || host.isEmpty()) return Optional.of("URL must have a host");
        // java.net.URI takes any digits as a port (99999 included); -1 means none was given
        int port = port(url);
        if (port == 0 || port > 65_535) return Optional.of("URL port must be between 1 and 65535");
        if (scheme.equals("https") && host.indexOf('_') >= 0) {
            // the JDK's TLS takes no underscore in a server name (SNIHostName): no certificate could be checked for it
            return Optional.of("URL host with an underscore (" + host + ") works over http only: TLS refuses such a"
                    + " server name, so no certificate could be checked");
        }
        return Optional.empty();
    }

    private record RegistryAuthority(String rawUserInfo, String host, int port) {}

    private static RegistryAuthority registryAuthority(URI url) {
        String authority = url.getRawAuthority();
        if (authority == null) return null;
        int at = authority.lastIndexOf('@');
        var matcher = NAME_AND_PORT.matcher(authority.substring(at + 1));
        if (!matcher.matches()) return null;
        String digits = matcher.group(2);
        int port = digits == null || digits.isEmpty() ? -1
                : digits.length() >= MAX_PORT_DIGITS ? 65_536 : Integer.parseInt(digits);
        return new RegistryAuthority(at >= 0 ? authority.substring(0, at) : null, matcher.group(1), port);
    }
}
