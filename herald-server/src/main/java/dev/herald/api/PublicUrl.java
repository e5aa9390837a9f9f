package dev.herald.api;

import io.javalin.http.Context;
import java.util.Optional;

/**
 * Where customers reach this server, for the links and tokens Herald hands out (app portal links, AutoConfig tokens,
 * polling URLs): HERALD_PUBLIC_URL when set (a load balancer's or proxy's address, when the API is called on an
 * internal one), else the scheme and host the request came with.
 */
public final class PublicUrl {
    private final Optional<String> configured;

    public PublicUrl(Optional<String> configured) {
        this.configured = configured.map(url -> url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }

    public String of(Context ctx) {
        return configured.orElseGet(() -> PortalAccessRoutes.publicScheme(ctx) + "://" + ctx.host());
    }
}
