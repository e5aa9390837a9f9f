package dev.herald.portal;

import dev.herald.api.ApiException;
import dev.herald.api.AppResolver;
import dev.herald.api.Auth;
import dev.herald.domain.Application;
import dev.herald.store.TokenStore.TokenOwner;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;

/**
 * Who is signed in to an application's portal. The app-portal-access token, handed over once by the sign-in page,
 * lives in an HttpOnly cookie that only that application's pages receive ({@code Path=/portal/{app_id}}), with
 * {@code SameSite=Strict} (or, when other sites may frame the portal, one their frames receive: {@link Pages#cookie});
 * every change also needs htmx's {@code HX-Request} header, which another site's form cannot send. Tokens are checked
 * as the API checks them ({@link Auth}), so expiry, logout and expire-all end a session.
 */
final class PortalSession {
    static final String COOKIE = "herald_portal";

    private final Auth auth;
    private final AppResolver apps;
    private final Clock clock;
    /** The portal is shown in other sites' frames (HERALD_PORTAL_FRAME_ANCESTORS). */
    private final boolean framed;

    PortalSession(Auth auth, AppResolver apps, Clock clock, boolean framed) {
        this.auth = auth;
        this.apps = apps;
        this.clock = clock;
        this.framed = framed;
    }

    /** The application whose pages the request's cookie opens; 401 with none or an ended token, 404 for another's. */
    Application signedIn(Context ctx) {
        String token = ctx.cookie(COOKIE);
        if (token == null || token.isBlank()) throw signedOut();
        return appOf(ctx, token);
    }

    /** Takes the token the sign-in page read from the link, and keeps it in the cookie. */
    Application signIn(Context ctx, String token) {
        if (token == null || token.isBlank()) throw signedOut();
        var app = appOf(ctx, token);
        var owner = Auth.principal(ctx);
        ctx.header("Set-Cookie", cookie(ctx, app, token, maxAge(owner)));
        return app;
    }

    /** Ends the cookie (the caller ends the token). */
    void signOut(Context ctx, Application app) {
        ctx.header("Set-Cookie", cookie(ctx, app, "", Duration.ZERO));
    }

    static TokenOwner owner(Context ctx) {
        return Auth.principal(ctx);
    }

    private Application appOf(Context ctx, String token) {
        TokenOwner owner;
        try {
            owner = auth.authenticate(ctx, token);
        } catch (ApiException e) {
            throw signedOut();
        }
        // the operator's own token never goes into a browser's cookie: the portal is for one application's owner
        if (owner.admin()) throw new ApiException(403, "insufficient access", "The app portal opens with an app portal link, not an admin token");
        // a polling endpoint's key, or an AutoConfig key, is for one endpoint: no portal of the whole application
        if (owner.boundSink() != null) {
            throw new ApiException(403, "insufficient access", "This key is for one endpoint only, not the portal");
        }
        return apps.resolve(ctx);
    }

    private static ApiException signedOut() {
        return new ApiException(401, "authentication_failed", "This portal link has expired or was signed out");
    }

    /** Until the token ends, or for the browser session when it has no expiry (an integration's key). */
    private Duration maxAge(TokenOwner owner) {
        if (owner.expiresAt() == null) return null;
        var left = Duration.between(clock.instant(), owner.expiresAt());
        return left.isNegative() ? Duration.ZERO : left;
    }

    private String cookie(Context ctx, Application app, String value, Duration maxAge) {
        return Pages.cookie(ctx, COOKIE, "/portal/" + app.id(), value, maxAge, framed);
    }


}
