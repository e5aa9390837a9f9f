package dev.herald.outbound;

import dev.herald.domain.UrlHosts;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * What a URL Herald is asked to send to must be before any request is made: https when the operator asks for
 * nothing else ({@code HERALD_ENDPOINT_HTTPS_ONLY}, Svix's {@code endpoint_https_only}), and a host the address guard
 * does not refuse as written. Checked when an endpoint, transformation or connector is saved and on every rendered
 * URL; {@link WebhookClient} enforces the scheme again on every request, and the guard every resolved address.
 */
public final class UrlPolicy {
    public static final String HTTPS_ONLY = "URL scheme must be https: endpoint_https_only is set (HERALD_ENDPOINT_HTTPS_ONLY)";

    private final AddressGuard guard;
    private final boolean httpsOnly;

    public UrlPolicy(AddressGuard guard, boolean httpsOnly) {
        this.guard = guard;
        this.httpsOnly = httpsOnly;
    }

    /** Why a request to {@code uri} (already an http or https URL with a host) may not be made, if it may not. */
    public Optional<String> refusal(URI uri) {
        if (httpsOnly && !"https".equals(String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT))) {
            return Optional.of(HTTPS_ONLY);
        }
        return guard.refusalForUrlHost(UrlHosts.host(uri));
    }
}
