package dev.herald.api;

import dev.herald.domain.Application;
import dev.herald.domain.Ids;
import dev.herald.domain.Integration;
import dev.herald.security.Tokens;
import dev.herald.store.IntegrationStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Svix's integrations (admin only), {@code /api/v1/app/{app_id}/integration}: named keys that speak for one application,
 * as an app portal token does, for a customer's integration (a Zapier-like tool, a script) to call Herald's API with.
 * A key has no expiry: it ends when rotated (the old key is refused at once on this node, on others within Auth's cache
 * period) or with its integration. expire-all and logout do not end it.
 */
public final class IntegrationRoutes {
    private static final Pattern FLAG = Pattern.compile("^[a-zA-Z0-9\\-_.]+$");
    static final String KEY_PREFIX = "appsk_";

    /** Svix's IntegrationOut. */
    public record IntegrationOut(String id, String name, Set<String> featureFlags, Instant createdAt, Instant updatedAt) {
        static IntegrationOut of(Integration i) {
            return new IntegrationOut(i.id(), i.name(), i.featureFlags(), i.createdAt(), i.updatedAt());
        }
    }

    /** Svix's IntegrationKeyOut. */
    public record IntegrationKeyOut(String key) {}

    private final AppResolver apps;
    private final IntegrationStore integrations;
    private final Auth auth;
    private final Clock clock;

    public IntegrationRoutes(AppResolver apps, IntegrationStore integrations, Auth auth, Clock clock) {
        this.apps = apps;
        this.integrations = integrations;
        this.auth = auth;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        String base = "/api/v1/app/{app_id}/integration";
        routes.get(base, this::list);
        routes.post(base, this::create);
        routes.get(base + "/{integ_id}", this::get);
        routes.put(base + "/{integ_id}", this::update);
        routes.delete(base + "/{integ_id}", this::delete);
        routes.get(base + "/{integ_id}/key", this::key);
        routes.post(base + "/{integ_id}/key/rotate", this::rotateKey);
    }

    /** IntegrationIn and IntegrationUpdate: {@code name} required, {@code featureFlags} optional. */
    private record Input(String name, Set<String> featureFlags) {
        static Input read(Context ctx) {
            var body = Body.of(ctx);
            String name = body.requiredString("name", 1, 256);
            Set<String> flags = body.stringSet("featureFlags", 10, FLAG, 256);
            body.validate();
            return new Input(name, flags);
        }
    }

    void create(Context ctx) {
        Application app = adminApp(ctx);
        var in = Input.read(ctx);
        Instant now = clock.instant();
        String key = Tokens.generate(KEY_PREFIX);
        var created = integrations.insert(new Integration(Ids.next(Ids.INTEGRATION), app.id(), in.name(), in.featureFlags(), now, now),
                Ids.next(Ids.TOKEN), key, Tokens.hash(key));
        ctx.status(201).json(IntegrationOut.of(created));
    }

    void list(Context ctx) {
        Application app = adminApp(ctx);
        ctx.json(Lists.response(integrations.list(app.id(), Lists.request(ctx, true, Ids.INTEGRATION)), IntegrationOut::of));
    }

    void get(Context ctx) {
        Application app = adminApp(ctx);
        ctx.json(IntegrationOut.of(find(ctx, app)));
    }

    void update(Context ctx) {
        Application app = adminApp(ctx);
        var current = find(ctx, app);
        var in = Input.read(ctx);
        var updated = integrations.update(new Integration(current.id(), app.id(), in.name(), in.featureFlags(),
                current.createdAt(), clock.instant())).orElseThrow(IntegrationRoutes::notFound);
        // its key bears the integration's feature flags: looked up again here now, on other nodes within Auth's cache period
        auth.forget(owner -> app.id().equals(owner.appId()));
        ctx.json(IntegrationOut.of(updated));
    }

    void delete(Context ctx) {
        Application app = adminApp(ctx);
        String tokenId = integrations.delete(app.id(), ctx.pathParam("integ_id")).orElseThrow(IntegrationRoutes::notFound);
        auth.forget(owner -> tokenId.equals(owner.tokenId()));
        ctx.status(204);
    }

    void key(Context ctx) {
        Application app = adminApp(ctx);
        ctx.json(new IntegrationKeyOut(integrations.key(app.id(), ctx.pathParam("integ_id")).orElseThrow(IntegrationRoutes::notFound)));
    }

    void rotateKey(Context ctx) {
        Application app = adminApp(ctx);
        String key = Tokens.generate(KEY_PREFIX);
        String oldToken = integrations.rotate(app.id(), ctx.pathParam("integ_id"), Ids.next(Ids.TOKEN), key, Tokens.hash(key),
                clock.instant()).orElseThrow(IntegrationRoutes::notFound);
        auth.forget(owner -> oldToken.equals(owner.tokenId()));
        ctx.json(new IntegrationKeyOut(key));
    }

    /** Integrations are managed with the admin token: an application's own token may not mint more keys for it. */
    private Application adminApp(Context ctx) {
        Auth.requireAdmin(ctx);
        return apps.resolve(ctx);
    }

    private Integration find(Context ctx, Application app) {
        return integrations.find(app.id(), ctx.pathParam("integ_id")).orElseThrow(IntegrationRoutes::notFound);
    }

    private static ApiException notFound() {
        return ApiException.notFound("Integration");
    }
}
