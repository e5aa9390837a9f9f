package dev.herald.portal;

import dev.herald.api.ApiException;
import dev.herald.api.AppResolver;
import dev.herald.api.Auth;
import dev.herald.api.Lists;
import dev.herald.api.PauseRoutes;
import dev.herald.api.PortalAccessRoutes;
import dev.herald.domain.Ids;
import dev.herald.metrics.HealthGauges;
import dev.herald.security.Tokens;
import dev.herald.store.ApplicationStore;
import dev.herald.store.HealthStore;
import dev.herald.store.TokenStore;
import dev.herald.store.TokenStore.TokenOwner;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operator's dashboard ({@code /dashboard}): every application, each one's portal a click away, the switch
 * that holds all delivery, the queue's health, the event catalog and the connectors the portals offer. Signing in takes an admin token once and keeps, in an HttpOnly {@code SameSite=Strict}
 * cookie, a session token of its own that ends after {@link #SESSION} or at sign-out, so the lasting admin token is
 * never kept by the browser.
 */
public final class DashboardRoutes {
    static final String COOKIE = "herald_dashboard";
    static final String BASE = "/dashboard";
    static final Duration SESSION = Duration.ofHours(12);
    /** An application's portal opened from here: long enough for a look. */
    static final Duration PORTAL_VISIT = Duration.ofHours(1);
    static final int FAILING_SHOWN = 50;

    /** Never in a frame: the operator's own pages. */
    private final Pages pages = new Pages("Sign in again at " + BASE + " with an admin token.", java.util.List.of());
    private final Auth auth;
    private final TokenStore tokens;
    private final ApplicationStore apps;
    private final AppResolver resolver;
    private final PortalAccessRoutes access;
    private final PauseRoutes pause;
    private final HealthGauges health;
    private final HealthStore healthStore;
    private final ConnectorAdminPages connectors;
    private final EventTypeAdminPages eventTypes;
    private final dev.herald.api.ApplicationRoutes applicationRoutes;
    private final Clock clock;

    /** This node's clock against the database's: the node serving the page says how far off it is. */
    private final dev.herald.metrics.ClockOffset clockOffset;

    public DashboardRoutes(Auth auth, TokenStore tokens, ApplicationStore apps, AppResolver resolver,
                           PortalAccessRoutes access, PauseRoutes pause, HealthGauges health,
                           HealthStore healthStore, dev.herald.api.ConnectorRoutes connectorRoutes,
                           dev.herald.store.ConnectorStore connectorStore, dev.herald.api.EventTypeRoutes eventTypeRoutes,
                           dev.herald.store.EventTypeStore eventTypeStore, dev.herald.api.ApplicationRoutes applicationRoutes,
                           dev.herald.metrics.ClockOffset clockOffset, Clock clock) {
        this.clockOffset = clockOffset;
        this.auth = auth;
        this.tokens = tokens;
        this.apps = apps;
        this.resolver = resolver;
        this.access = access;
        this.pause = pause;
        this.health = health;
        this.healthStore = healthStore;
        this.connectors = new ConnectorAdminPages(pages, connectorRoutes, connectorStore);
        this.eventTypes = new EventTypeAdminPages(pages, eventTypeRoutes, eventTypeStore);
        this.applicationRoutes = applicationRoutes;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.get(BASE, ctx -> pages.answer(ctx, () -> pages.render(ctx, 200, "dashboardSignin", Map.of())));
        routes.post(BASE + "/session", ctx -> pages.answer(ctx, () -> signIn(ctx)));
        routes.post(BASE + "/logout", ctx -> pages.answer(ctx, () -> signOut(ctx, signedIn(ctx))));
        routes.get(BASE + "/apps", ctx -> pages.answer(ctx, () -> applications(ctx, signedIn(ctx))));
        routes.get(BASE + "/health", ctx -> pages.answer(ctx, () -> health(ctx, signedIn(ctx))));
        routes.post(BASE + "/pause", ctx -> pages.answer(ctx, () -> setPaused(ctx, signedIn(ctx), true)));
        routes.post(BASE + "/resume", ctx -> pages.answer(ctx, () -> setPaused(ctx, signedIn(ctx), false)));
        routes.post(BASE + "/apps", ctx -> pages.answer(ctx, () -> createApplication(ctx, signedIn(ctx))));
        routes.post(BASE + "/apps/{app_id}/portal", ctx -> pages.answer(ctx, () -> openPortal(ctx, signedIn(ctx))));
        routes.get(BASE + "/event-types", ctx -> pages.answer(ctx, () -> signedIn(ctx, eventTypes::list)));
        routes.post(BASE + "/event-types", ctx -> pages.answer(ctx, () -> signedIn(ctx, eventTypes::create)));
        routes.get(BASE + "/event-types/{name}", ctx -> pages.answer(ctx, () -> signedIn(ctx, eventTypes::show)));
        routes.post(BASE + "/event-types/{name}", ctx -> pages.answer(ctx, () -> signedIn(ctx, eventTypes::update)));
        routes.post(BASE + "/event-types/{name}/archive",
                ctx -> pages.answer(ctx, () -> signedIn(ctx, c -> eventTypes.setArchived(c, true))));
        routes.post(BASE + "/event-types/{name}/unarchive",
                ctx -> pages.answer(ctx, () -> signedIn(ctx, c -> eventTypes.setArchived(c, false))));
        routes.get(BASE + "/connectors", ctx -> pages.answer(ctx, () -> signedIn(ctx, connectors::list)));
        routes.post(BASE + "/connectors", ctx -> pages.answer(ctx, () -> signedIn(ctx, connectors::create)));
        routes.get(BASE + "/connectors/{connector_id}", ctx -> pages.answer(ctx, () -> signedIn(ctx, connectors::show)));
        routes.post(BASE + "/connectors/{connector_id}", ctx -> pages.answer(ctx, () -> signedIn(ctx, connectors::update)));
        routes.post(BASE + "/connectors/{connector_id}/delete", ctx -> pages.answer(ctx, () -> signedIn(ctx, connectors::delete)));
    }

    /** An admin token, given once, for a session token that ends. */
    private void signIn(Context ctx) {
        String given = Pages.form(ctx, "token");
        TokenOwner owner;
        try {
            owner = given.isEmpty() ? null : auth.authenticate(ctx, given);
        } catch (ApiException e) {
            owner = null;
        }
        if (owner == null || !owner.admin()) {
            // said beside the form: a refusal of an open page's request would reload it, as for a session that ended
            pages.render(ctx, 401, "notice", Map.of("text", "That is not an admin token", "error", true));
            return;
        }
        String session = Tokens.generate("sk_");
        Instant now = clock.instant();
        tokens.insert(Ids.next(Ids.TOKEN), Tokens.hash(session), null, now, now.plus(SESSION));
        ctx.header("Set-Cookie", cookie(ctx, session, SESSION));
        ctx.header("HX-Redirect", BASE + "/apps");
        ctx.status(204);
    }

    private TokenOwner signedIn(Context ctx) {
        String token = ctx.cookie(COOKIE);
        TokenOwner owner = null;
        if (token != null && !token.isBlank()) {
            try {
                owner = auth.authenticate(ctx, token);
            } catch (ApiException e) {
                // ended: as if there were no cookie
            }
        }
        if (owner == null || !owner.admin()) {
            throw new ApiException(401, "authentication_failed", "Your dashboard session has ended");
        }
        return owner;
    }

    /** Runs {@code page} once the session is known to be an admin's. */
    private void signedIn(Context ctx, java.util.function.Consumer<Context> page) {
        signedIn(ctx);
        page.accept(ctx);
    }

    private void signOut(Context ctx, TokenOwner owner) {
        tokens.expire(owner.tokenId(), clock.instant());
        auth.forget(cached -> owner.tokenId().equals(cached.tokenId()));
        ctx.header("Set-Cookie", cookie(ctx, "", Duration.ZERO));
        ctx.header("HX-Redirect", BASE);
        ctx.status(204);
    }

    /** Every application a page at a time, or the one whose id or uid {@code find} names. */
    private void applications(Context ctx, TokenOwner owner) {
        var params = new LinkedHashMap<String, Object>();
        String find = ctx.queryParam("find") == null ? "" : ctx.queryParam("find").trim();
        if (find.isEmpty()) {
            var request = Lists.request(ctx, true, Ids.APP);
            var page = apps.list(request);
            params.put("apps", page.data());
            Pages.pager(params, request, page, BASE + "/apps", "");
        } else {
            // as the API finds an application; Herald's own is not among them
            params.put("apps", apps.find(find).filter(a -> !a.operational()).stream().toList());
            params.put("older", null);
            params.put("newer", null);
        }
        params.put("find", find);
        params.put("paused", pause.deliveryPaused());
        pages.render(ctx, 200, "dashboard", params);
    }

    /**
     * Svix's ApplicationIn ({@code name}, {@code uid}) through the API's own checks; on success, the list with the new
     * application first, otherwise the form again with the objection.
     */
    private void createApplication(Context ctx, TokenOwner owner) {
        String name = Pages.form(ctx, "name");
        String uid = Pages.form(ctx, "uid");
        var in = dev.herald.api.Json.MAPPER.createObjectNode().put("name", name);
        if (!uid.isEmpty()) in.put("uid", uid);
        Pages.submit(() -> {
            applicationRoutes.createFrom(EndpointForms.asBody(in));
            ctx.header("HX-Redirect", BASE + "/apps");
            ctx.status(201);
        }, (status, errors) -> pages.render(ctx, status, "applicationForm", Map.of("name", name, "uid", uid, "errors", errors)));
    }

    /** The queue's backlog and lag, and the endpoints failing longest (the same figures as the gauges on /metrics). */
    private void health(Context ctx, TokenOwner owner) {
        var params = new LinkedHashMap<String, Object>();
        params.put("health", health.snapshot());
        params.put("cap", HealthStore.COUNT_CAP);
        params.put("failing", healthStore.failingEndpoints(FAILING_SHOWN));
        params.put("paused", pause.deliveryPaused());
        var offset = clockOffset.last();
        params.put("clock", offset.map(dev.herald.metrics.ClockOffset::describe).orElse("not measured (the database is out of reach)"));
        params.put("clockOff", offset.map(dev.herald.metrics.ClockOffset::worthAWarning).orElse(false));
        pages.render(ctx, 200, "dashboardHealth", params);
    }

    private void setPaused(Context ctx, TokenOwner owner, boolean paused) {
        pause.setDeliveryPaused(paused);
        ctx.header("HX-Refresh", "true");
        ctx.status(204);
    }

    /** The application's portal, as its owner sees it, opened with a token of its own that ends within the hour. */
    private void openPortal(Context ctx, TokenOwner owner) {
        var app = resolver.resolve(ctx); // the session's principal is an admin: any application
        var link = access.open(ctx, app, PORTAL_VISIT, TokenStore.Grant.FULL);
        ctx.header("HX-Redirect", link.url().substring(link.url().indexOf("/portal/")));
        ctx.status(204);
    }

    private static String cookie(Context ctx, String value, Duration maxAge) {
        return Pages.cookie(ctx, COOKIE, BASE, value, maxAge, false);
    }
}
