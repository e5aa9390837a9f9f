package dev.herald.outbound;

import dev.herald.domain.UrlHosts;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Sends webhook HTTP requests without ever throwing: every outcome, including refusal by the
 * {@link AddressGuard}, becomes a {@link DeliveryResult}.
 *
 * <p>Built on Jetty's asynchronous client, so thousands of concurrent sends need no thread each.
 * The client reports exactly what the receiver answered: no redirects followed, no cookies kept,
 * no authentication or content-encoding negotiation.
 */
public final class WebhookClient implements AutoCloseable {

    private static final String DEFAULT_CONTENT_TYPE = "application/json";

    private final HttpClient http;
    private final FailureClassifier failures;
    private final long totalTimeoutMs;
    private final int maxRequestsQueued;
    private final boolean httpsOnly;
    private final OutboundProxy proxy;
    private final GuardedAddressResolver addresses;
    private final AtomicInteger pending = new AtomicInteger();

    /** A client that resolves names with the system resolver. */
    public WebhookClient(WebhookClientSettings settings, AddressGuard guard) {
        this(settings, guard, HostResolver.system());
    }

    /** @param resolver turns host names into addresses; every address is then vetted by {@code guard} */
    public WebhookClient(WebhookClientSettings settings, AddressGuard guard, HostResolver resolver) {
        this.totalTimeoutMs = settings.totalTimeout().toMillis();
        this.maxRequestsQueued = settings.maxRequestsQueued();
        this.httpsOnly = settings.httpsOnly();
        this.failures = new FailureClassifier(totalTimeoutMs, settings.connectTimeout().toMillis());
        this.proxy = settings.proxy();
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("herald-outbound");
        this.addresses = new GuardedAddressResolver(resolver, guard, threads, proxy);
        this.http = newHttpClient(settings, threads, addresses);
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the webhook HTTP client", e);
        }
    }

    private static HttpClient newHttpClient(WebhookClientSettings settings, QueuedThreadPool threads,
                                            GuardedAddressResolver addresses) {
        HttpClient http = new HttpClient();
        http.setExecutor(threads);
        // the selector runs the response listeners itself, no pool thread woken per response. They must never block:
        // CappedBodyListener completes the future, and the dispatcher's continuation queues the result and sends the
        // lane's next request (asynchronously; name resolution runs on the pool, see GuardedAddressResolver)
        http.getHttpClientTransport().setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        // the only way Jetty learns addresses, so every connection is vetted by the guard
        http.setSocketAddressResolver(addresses);
        if (settings.proxy() != null) {
            var proxy = settings.proxy();
            http.getProxyConfiguration().addProxy(proxy.toJetty());
            if (proxy.kind() == OutboundProxy.Kind.HTTP && proxy.username() != null) {
                // sent with every request and CONNECT (no 407 round trip: protocol handlers are off, below)
                http.setAuthenticationStore(new ProxyCredentials(proxy));
            }
        }
        if (settings.trustAnyCertificate()) {
            // the operator's explicit choice for receivers whose certificates no authority signed: name and chain unchecked
            var tls = new org.eclipse.jetty.util.ssl.SslContextFactory.Client(true);
            tls.setEndpointIdentificationAlgorithm(null);
            http.setSslContextFactory(tls);
        }
        http.setFollowRedirects(false); // a redirect could point anywhere; report it instead
        http.setRedirectCache(null); // and never silently rewrite a URL after an earlier 301
        http.setHttpCookieStore(new HttpCookieStore.Empty()); // endpoints must not see each other's cookies
        http.getProtocolHandlers().clear(); // no 401/407/100-continue handling: report raw answers
        http.getContentDecoderFactories().clear(); // no gzip: the body cap counts bytes on the wire
        http.setConnectTimeout(settings.connectTimeout().toMillis());
        http.setIdleTimeout(settings.totalTimeout().toMillis());
        http.setMaxConnectionsPerDestination(settings.maxConnectionsPerDestination());
        // the global limit in send() is the real bound; this just keeps Jetty from refusing first
        http.setMaxRequestsQueuedPerDestination(settings.maxRequestsQueued());
        http.setMaxResponseHeadersSize(WebhookClientSettings.MAX_RESPONSE_HEADERS_BYTES);
        http.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "Herald/" + settings.version()));
        return http;
    }

    /** Sends the request; the future always completes normally, with a result. */
    public CompletableFuture<DeliveryResult> send(OutboundRequest request) {
        long startNanos = System.nanoTime();
        if (pending.incrementAndGet() > maxRequestsQueued) {
            pending.decrementAndGet();
            return CompletableFuture.completedFuture(
                    DeliveryResult.failure("too many requests queued (limit " + maxRequestsQueued + ")", 0));
        }
        CompletableFuture<DeliveryResult> outcome = new CompletableFuture<>();
        // callers get the future that completes after the count dropped, so they never see it stale
        CompletableFuture<DeliveryResult> counted = outcome.whenComplete((result, error) -> pending.decrementAndGet());
        try {
            String unsupported = unsupportedUrl(request.url());
            if (unsupported != null) {
                outcome.complete(DeliveryResult.failure(unsupported, elapsedMs(startNanos)));
            } else if (proxy != null && proxy.carries(UrlHosts.host(request.url()))) {
                // the proxy connects to the receiver, so its name is vetted here first (off the caller's thread: DNS)
                http.getExecutor().execute(() -> sendVetted(request, startNanos, outcome));
            } else if (proxy != null && proxy.is(UrlHosts.host(request.url()), WebhookUrls.effectivePort(request.url()))) {
                // sent direct (HERALD_NO_PROXY names it), the proxy's own host and port would be let through unvetted
                outcome.complete(DeliveryResult.failure("blocked address: the receiver is the outbound proxy " + proxy
                        + " itself, which is let through only as the proxy", elapsedMs(startNanos)));
            } else {
                toJettyRequest(request).send(new CappedBodyListener(startNanos, outcome, failures::describe));
            }
        } catch (RuntimeException e) {
            outcome.complete(DeliveryResult.failure(failures.describe(e), elapsedMs(startNanos)));
        }
        return counted;
    }

    private void sendVetted(OutboundRequest request, long startNanos, CompletableFuture<DeliveryResult> outcome) {
        try {
            addresses.vetEvery(UrlHosts.host(request.url()));
        } catch (Exception refused) {
            outcome.complete(DeliveryResult.failure(failures.describe(refused), elapsedMs(startNanos)));
            return;
        }
        var throughProxy = new CompletableFuture<DeliveryResult>();
        throughProxy.whenComplete((result, error) -> outcome.complete(result == null
                ? DeliveryResult.failure(describeViaProxy(error), elapsedMs(startNanos)) : fromProxy(result)));
        try {
            toJettyRequest(request).send(new CappedBodyListener(startNanos, throughProxy, this::describeViaProxy));
        } catch (RuntimeException e) {
            throughProxy.complete(DeliveryResult.failure(describeViaProxy(e), elapsedMs(startNanos)));
        }
    }

    /** A failure on the way through the proxy says so: the operator's proxy, not the receiver, may be the cause. */
    private String describeViaProxy(Throwable failure) {
        return viaProxy(FailureClassifier.find(failure, org.eclipse.jetty.client.HttpResponseException.class)
                instanceof org.eclipse.jetty.client.HttpResponseException refused
                ? "it answered " + refused.getResponse().getStatus() + " to the CONNECT for the receiver"
                : failures.describe(failure));
    }

    private String viaProxy(String what) {
        return FailureClassifier.VIA_PROXY + proxy + ": " + what;
    }

    /** A 407 is a proxy's answer (no receiver sends one): a failed attempt saying so, not the receiver's status. */
    private DeliveryResult fromProxy(DeliveryResult result) {
        if (result.statusCode() != 407) return result;
        return DeliveryResult.failure(viaProxy("it asked for credentials (407 Proxy Authentication Required)"), result.durationMs());
    }

    /** Requests in flight or waiting beyond which a send is refused at once. */
    public int maxRequestsQueued() {
        return maxRequestsQueued;
    }

    /** Requests accepted but not yet completed. */
    public int pendingRequests() {
        return pending.get();
    }

    private Request toJettyRequest(OutboundRequest request) {
        String contentType = headerValue(request.headers(), HttpHeader.CONTENT_TYPE.asString());
        Request jetty = newJettyRequest(request.url())
                .method(request.method().toUpperCase(Locale.ROOT))
                .timeout(totalTimeoutMs, TimeUnit.MILLISECONDS)
                .headers(headers -> request.headers().forEach((name, value) -> headers.put(name, utf8OnTheWire(value))));
        if (hasBody(request)) {
            jetty.body(new BytesRequestContent(contentType == null ? DEFAULT_CONTENT_TYPE : contentType, request.body()));
        }
        return jetty;
    }

    /**
     * Jetty takes a URL's host from {@link URI#getHost()} and refuses one without; a name that URI reads as no host
     * ({@code webhook_receiver}, see {@link WebhookUrls}) is given to it apart, the rest of the URL as written.
     */
    private Request newJettyRequest(URI url) {
        if (url.getHost() != null) return http.newRequest(url);
        String pathAndQuery = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        return http.newRequest(url.getScheme() + "://host.invalid" + pathAndQuery)
                .host(UrlHosts.host(url))
                .port(WebhookUrls.effectivePort(url));
    }

    /**
     * A header value as Jetty must be given it for its UTF-8 bytes to go out (as Svix sends them): Jetty writes each
     * character as one byte, Latin-1, and one past U+00FF as a space, so {@code Zoë} went out as the byte EB and
     * {@code 李} as a space. ASCII, the common case, is returned as it is.
     */
    static String utf8OnTheWire(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) > 0x7f) {
                return new String(value.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.ISO_8859_1);
            }
        }
        return value;
    }

    /** GET and HEAD without a body go out without Content-Type; every other method carries one. */
    private static boolean hasBody(OutboundRequest request) {
        String method = request.method().toUpperCase(Locale.ROOT);
        return request.body().length > 0 || !(method.equals("GET") || method.equals("HEAD"));
    }

    private static String headerValue(Map<String, String> headers, String name) {
        return headers.entrySet().stream()
                .filter(header -> header.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
    }

    private String unsupportedUrl(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "unsupported URL scheme '" + scheme + "'";
        }
        // an endpoint saved with http before the setting was turned on is refused here, as is every other request
        if (httpsOnly && !scheme.equals("https")) return UrlPolicy.HTTPS_ONLY;
        String host = UrlHosts.host(url);
        if (host == null || host.isEmpty()) {
            return "URL has no host";
        }
        return null;
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Stops the client; requests still in flight complete with a failure result. */
    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the webhook HTTP client", e);
        }
    }
}
