package dev.herald.outbound;

import dev.herald.domain.UrlHosts;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * What a URL Herald sends to must be, and the port a request to it connects to; its host and port are read by
 * {@link UrlHosts} (a name with an underscore, which {@link URI} reads as no host, included).
 */
public final class WebhookUrls {
    private WebhookUrls() {}

    /** The port a request to the URL connects to: the written one, else the scheme's. */
    public static int effectivePort(URI url) {
        int port = UrlHosts.port(url);
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
        String host = UrlHosts.host(url);
        if (host == null || host.isEmpty()) return Optional.of("URL must have a host");
        // java.net.URI takes any digits as a port (99999 included); -1 means none was given
        int port = UrlHosts.port(url);
        if (port == 0 || port > 65_535) return Optional.of("URL port must be between 1 and 65535");
        if (scheme.equals("https") && host.indexOf('_') >= 0) {
            // the JDK's TLS takes no underscore in a server name (SNIHostName): no certificate could be checked for it
            return Optional.of("URL host with an underscore (" + host + ") works over http only: TLS refuses such a"
                    + " server name, so no certificate could be checked");
        }
        return Optional.empty();
    }
}
