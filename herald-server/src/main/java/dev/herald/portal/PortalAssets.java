package dev.herald.portal;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The portal's static files, read from the classpath once: htmx from its webjar, and the portal's own script and
 * style sheet (separate files, so the pages' Content-Security-Policy can forbid inline script and style).
 */
public final class PortalAssets {
    /** The webjar's version (herald-server/pom.xml's htmx.version); part of the file's name, so it may be cached for good. */
    static final String HTMX_VERSION = "2.0.8";
    public static final String HTMX = "htmx-" + HTMX_VERSION + ".min.js";
    static final String PATH = "/portal/assets/";

    private record Asset(byte[] bytes, String contentType, String cacheControl) {}

    private final Map<String, Asset> assets = Map.of(
            HTMX, new Asset(read("/META-INF/resources/webjars/htmx.org/" + HTMX_VERSION + "/dist/htmx.min.js"),
                    "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"),
            "portal.js", new Asset(read("/portal/portal.js"), "text/javascript; charset=utf-8", "public, max-age=300"),
            "portal.css", new Asset(read("/portal/portal.css"), "text/css; charset=utf-8", "public, max-age=300"),
            "favicon.svg", new Asset(read("/portal/favicon.svg"), "image/svg+xml", "public, max-age=86400"));

    void serve(Context ctx) {
        var asset = assets.get(ctx.pathParam("name"));
        if (asset == null) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("Not found");
            return;
        }
        ctx.header("Cache-Control", asset.cacheControl()).contentType(asset.contentType()).result(asset.bytes());
    }

    private static byte[] read(String resource) {
        try (var in = PortalAssets.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
