package dev.herald.outbound;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's hook between DNS and connect: every resolved address is vetted by {@link AddressGuard}
 * and only allowed ones are handed on, so Jetty connects to exactly the addresses that were
 * checked. That closes the DNS-rebinding gap of checking a name first and connecting later. Behind a proxy, Jetty
 * connects only to the proxy, which the operator chose and which is let through; receivers are then vetted by
 * {@link #vetEvery} before their requests are handed to it.
 */
final class GuardedAddressResolver implements SocketAddressResolver {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedAddressResolver.class);

    private final HostResolver resolver;
    private final AddressGuard guard;
    private final Executor executor;
    private final OutboundProxy proxy;

    /** @param executor runs the (possibly blocking) DNS lookups off Jetty's selector threads */
    GuardedAddressResolver(HostResolver resolver, AddressGuard guard, Executor executor) {
        this(resolver, guard, executor, null);
    }

    /**
     * @param executor runs the (possibly blocking) DNS lookups off Jetty's selector threads
     * @param proxy the proxy requests go through (its address is not vetted), or null
     */
    GuardedAddressResolver(HostResolver resolver, AddressGuard guard, Executor executor, OutboundProxy proxy) {
        this.resolver = resolver;
        this.guard = guard;
        this.executor = executor;
        this.proxy = proxy;
    }

    @Override
    public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
        try {
            executor.execute(() -> resolveNow(host, port, promise));
        } catch (RejectedExecutionException stopping) {
            promise.failed(stopping);
        }
    }

    private void resolveNow(String host, int port, Promise<List<InetSocketAddress>> promise) {
        List<InetSocketAddress> allowed;
        try {
            allowed = proxy != null && proxy.is(host, port) ? proxyAddresses(unbracketed(host), port)
                    : allowedAddresses(unbracketed(host), port);
        } catch (Exception e) { // becomes the request's failure, and so a DeliveryResult
            promise.failed(e);
            return;
        }
        promise.succeeded(allowed);
    }

    /**
     * Vets a receiver's host for a request a proxy makes (blocking: run it off the selector threads): every address the
     * name has must be allowed, since the proxy looks the name up itself and may connect to any of them (a name with a
     * public and a private address, the public one made to drop packets, would lead it to the private one).
     *
     * @throws UnknownHostException when the name has no address
     * @throws BlockedAddressException when the guard refuses any address it has
     */
    void vetEvery(String host) throws UnknownHostException, BlockedAddressException {
        String bare = unbracketed(host);
        List<InetAddress> resolved = resolved(bare);
        for (InetAddress address : resolved) {
            AddressVerdict verdict = guard.check(address);
            if (!verdict.allowed()) {
                throw new BlockedAddressException(refusal(bare, verdict) + (resolved.size() > 1
                        ? " (one of " + resolved.size() + " addresses of " + bare + "; through a proxy, every one must be allowed)" : ""));
            }
        }
    }

    private List<InetAddress> resolved(String host) throws UnknownHostException {
        List<InetAddress> resolved = resolver.resolve(host);
        if (resolved == null || resolved.isEmpty()) throw new UnknownHostException(host);
        return resolved;
    }

    private List<InetSocketAddress> proxyAddresses(String host, int port) throws UnknownHostException {
        return resolved(host).stream().map(address -> new InetSocketAddress(address, port)).toList();
    }

    private List<InetSocketAddress> allowedAddresses(String host, int port) throws UnknownHostException, BlockedAddressException {
        List<InetAddress> resolved = resolved(host);
        List<InetSocketAddress> allowed = new ArrayList<>(resolved.size());
        String firstRefusal = null;
        for (InetAddress address : resolved) {
            AddressVerdict verdict = guard.check(address);
            if (verdict.allowed()) {
                allowed.add(new InetSocketAddress(address, port));
            } else {
                LOG.debug("{} resolved to {}: {}", host, address.getHostAddress(), verdict.reason());
                firstRefusal = firstRefusal == null ? refusal(host, verdict) : firstRefusal;
            }
        }
        if (allowed.isEmpty()) {
            throw new BlockedAddressException(firstRefusal);
        }
        return allowed;
    }

    /**
     * A refused address as the attempt records it: a URL's own address literal is shown, the address a name resolved to
     * only by its range (split-horizon DNS would otherwise tell a tenant the internal addresses of names it tries).
     */
    private static String refusal(String host, AddressVerdict verdict) {
        return HostLiteralParser.parse(host) instanceof HostLiteral.Name ? verdict.reasonFor(host) : verdict.reason();
    }

    /** Jetty and URLs write IPv6 literals in brackets; resolvers and comparisons want the bare address. */
    static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
