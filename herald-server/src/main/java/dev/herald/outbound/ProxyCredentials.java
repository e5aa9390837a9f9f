package dev.herald.outbound;

import dev.herald.domain.UrlHosts;
import java.net.URI;
import org.eclipse.jetty.client.Authentication;
import org.eclipse.jetty.client.AuthenticationStore;
import org.eclipse.jetty.client.BasicAuthentication;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The HTTP proxy's credentials, the one thing Herald's client authenticates with: sent as Proxy-Authorization with
 * every request to the proxy and every CONNECT (no 407 round trip). Jetty's own store finds a result by comparing
 * {@link URI#getHost()}, which is null for a name with an underscore ({@code squid_proxy}, see {@link WebhookUrls}),
 * and throws there; this one compares the proxy's host and port as {@link WebhookUrls} reads them.
 */
final class ProxyCredentials implements AuthenticationStore {
    private final OutboundProxy proxy;
    private final Authentication.Result result;

    ProxyCredentials(OutboundProxy proxy) {
        this.proxy = proxy;
        this.result = new BasicAuthentication.BasicResult(URI.create("http://" + proxy.host() + ":" + proxy.port()),
                HttpHeader.PROXY_AUTHORIZATION, proxy.username(), proxy.password());
    }

    @Override
    public Authentication.Result findAuthenticationResult(URI uri) {
        String host = UrlHosts.host(uri);
        boolean theProxy = host != null && "http".equalsIgnoreCase(uri.getScheme())
                && proxy.is(host, WebhookUrls.effectivePort(uri));
        return theProxy ? result : null;
    }

    @Override
    public boolean hasAuthenticationResults() {
        return true;
    }

    /** No challenge is answered (the protocol handlers are off), so none is kept. */
    @Override
    public Authentication findAuthentication(String type, URI uri, String realm) {
        return null;
    }

    @Override
    public void addAuthentication(Authentication authentication) {
        throw new UnsupportedOperationException("Herald authenticates only to its proxy");
    }

    @Override
    public void removeAuthentication(Authentication authentication) {
    }

    @Override
    public void clearAuthentications() {
    }

    @Override
    public void addAuthenticationResult(Authentication.Result result) {
        throw new UnsupportedOperationException("Herald authenticates only to its proxy");
    }

    @Override
    public void removeAuthenticationResult(Authentication.Result result) {
    }

    @Override
    public void clearAuthenticationResults() {
    }
}
