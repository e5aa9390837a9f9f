package dev.herald.outbound;

import dev.herald.domain.UrlHosts;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.eclipse.jetty.client.HttpProxy;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.client.ProxyConfiguration;
import org.eclipse.jetty.client.Socks5;
import org.eclipse.jetty.client.Socks5Proxy;

/**
 * The proxy every webhook request goes through ({@code HERALD_PROXY_URL}, as svix-server's proxy setting): an HTTP proxy
 * ({@code http://[user:password@]host:port}: CONNECT tunnels to https receivers, plain requests to http ones) or a
 * SOCKS5 one ({@code socks5://[user:password@]host:port}). The proxy is the operator's, so the address guard lets it
 * through whatever its address; receivers are still vetted, by the addresses their names resolve to here. Receivers
 * the {@link ProxyBypass} names are sent to directly.
 */
public record OutboundProxy(Kind kind, String host, int port, String username, String password, ProxyBypass bypass) {
    public enum Kind { HTTP, SOCKS5 }

    /** A proxy for every receiver. */
    public static OutboundProxy parse(String url) {
        return parse(url, ProxyBypass.NONE);
    }

    /** @throws IllegalArgumentException saying what is wrong with {@code url} */
    public static OutboundProxy parse(String url, ProxyBypass bypass) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL like http://proxy.internal:3128 or socks5://proxy.internal:1080");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        Kind kind = switch (scheme) {
            case "http" -> Kind.HTTP;
            case "socks5" -> Kind.SOCKS5;
            default -> throw new IllegalArgumentException("the scheme must be http or socks5, got '" + scheme + "'");
        };
        // a name with an underscore (squid_proxy, a Compose service) is a host here too, as for receivers
        String host = UrlHosts.host(uri);
        int port = UrlHosts.port(uri);
        if (host == null || port < 1 || port > 65_535) {
            throw new IllegalArgumentException("needs a host and a port, like " + scheme + "://proxy.internal:"
                    + (kind == Kind.HTTP ? 3128 : 1080));
        }
        boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                && uri.getRawQuery() == null && uri.getRawFragment() == null;
        if (!bare) throw new IllegalArgumentException("a proxy URL has no path, query or fragment");
        String username = null;
        String password = null;
        String userInfo = UrlHosts.rawUserInfo(uri);
        if (userInfo != null) {
            String[] parts = userInfo.split(":", 2);
            if (parts.length != 2) throw new IllegalArgumentException("credentials are user:password");
            username = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
        }
        return new OutboundProxy(kind, GuardedAddressResolver.unbracketed(host), port, username, password, bypass);
    }

    /** Whether Jetty is connecting to this proxy (the guard lets that one through). */
    boolean is(String host, int port) {
        return port == this.port && GuardedAddressResolver.unbracketed(host).equalsIgnoreCase(this.host);
    }

    /** Whether a request to {@code receiverHost} goes through the proxy. */
    boolean carries(String receiverHost) {
        return !bypass.bypasses(receiverHost);
    }

    ProxyConfiguration.Proxy toJetty() {
        var address = new Origin.Address(host, port);
        if (kind == Kind.HTTP) {
            return new HttpProxy(address, false) {
                @Override
                public boolean matches(Origin origin) {
                    return carries(origin.getAddress().getHost()) && super.matches(origin);
                }
            };
        }
        var socks = new Socks5Proxy(address, false) {
            @Override
            public boolean matches(Origin origin) {
                return carries(origin.getAddress().getHost()) && super.matches(origin);
            }
        };
        if (username != null) socks.putAuthenticationFactory(new Socks5.UsernamePasswordAuthenticationFactory(username, password));
        return socks;
    }

    /** The proxy's address without credentials, for logs. */
    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + "://" + host + ":" + port;
    }
}
