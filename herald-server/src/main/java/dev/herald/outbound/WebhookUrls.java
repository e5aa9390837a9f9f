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
        var nameAndPort = registryNameAndPort(url);
        return nameAndPort == null ? null : nameAndPort.group(1);
    }

    /** The URL's port, or -1 when none is written; a port too long to be one reads as 65,536 (out of range). */
    public static int port(URI url) {
        if (url.getHost() != null) return url.getPort();
        var nameAndPort = registryNameAndPort(url);
        String digits = nameAndPort == null ? null : nameAndPort.group(2);
        if (digits == null || digits.isEmpty()) return -1;
        return digits.length() >= MAX_PORT_DIGITS ? 65_536 : Integer.parseInt(digits);
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
        // a registry authority has no user info of its own: an @ in it is one
        if (url.getRawUserInfo() != null || (url.getHost() == null && url.getRawAuthority() != null
                && url.getRawAuthority().contains("@"))) {
            return Optional.of("URL must not contain credentials");
        }
        String host = host(url);
        if (host == null || host.isEmpty()) return Optional.of("URL must have a host");
        // java.net.URI takes any digits as a port (99999 included); -1 means none was given
        int port = port(url);
        if (port == 0 || port > 65_535) return Optional.of("URL port must be between 1 and 65535");
        return Optional.empty();
    }

    private static java.util.regex.Matcher registryNameAndPort(URI url) {
        String authority = url.getRawAuthority();
        if (authority == null) return null;
        var matcher = NAME_AND_PORT.matcher(authority);
        return matcher.matches() ? matcher : null;
    }
}
