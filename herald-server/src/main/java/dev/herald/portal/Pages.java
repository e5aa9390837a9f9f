package dev.herald.portal;

import dev.herald.api.ApiException;
import dev.herald.api.ValidationException;
import dev.herald.domain.ConflictException;
import dev.herald.domain.NotFoundException;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.HashMap;
import java.util.Map;

/**
 * What the portal's and the dashboard's pages share: their headers, their templates, and refusals shown as a page,
 * or to htmx as a fragment for the spot it was to fill. Refusals are the API's own exceptions.
 */
final class Pages {
    /** No inline script or style, nothing from elsewhere, never in a frame. */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /** A page's work; it throws the API's exceptions to refuse. */
    @FunctionalInterface
    interface Work {
        void run();
    }

    private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);
    /** What the error page says when a session has ended: where to get a new one. */
    private final String signedOutHint;

    Pages(String signedOutHint) {
        this.signedOutHint = signedOutHint;
    }

    /** Runs a page's work with the pages' headers; a change (any POST) must come from the pages themselves. */
    void answer(Context ctx, Work work) {
        headers(ctx);
        try {
            if (ctx.method() == HandlerType.POST) requireOwnPage(ctx);
            work.run();
        } catch (ApiException e) {
            refused(ctx, e.status(), e.getMessage());
        } catch (NotFoundException e) {
            refused(ctx, 404, e.getMessage());
        } catch (ConflictException e) {
            refused(ctx, 409, e.getMessage());
        } catch (ValidationException e) {
            refused(ctx, 422, String.join("; ", e.items().stream().map(ValidationException.Item::msg).toList()));
        }
    }

    static void headers(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Content-Type-Options", "nosniff");
    }

    /** htmx marks its requests; a form another site posts cannot. */
    private static void requireOwnPage(Context ctx) {
        if (!htmx(ctx)) throw new ApiException(403, "insufficient_access", "Changes are made from the pages themselves");
    }

    static boolean htmx(Context ctx) {
        return "true".equals(ctx.header("HX-Request"));
    }

    private void refused(Context ctx, int status, String detail) {
        // a session that ended under an open page: the whole page is reloaded, to show it signed out
        if (htmx(ctx) && status == 401) ctx.header("HX-Refresh", "true");
        if (htmx(ctx)) {
            render(ctx, status, "notice", Map.of("text", detail, "error", true));
            return;
        }
        var params = new HashMap<String, Object>();
        params.put("title", title(status));
        params.put("detail", detail);
        params.put("hint", status == 401 ? signedOutHint : null);
        render(ctx, status, "error", params);
    }

    private static String title(int status) {
        return switch (status) {
            case 401 -> "Signed out";
            case 403 -> "Not allowed";
            case 404 -> "Not found";
            default -> "Cannot do that";
        };
    }

    void render(Context ctx, int status, String template, Map<String, Object> params) {
        var out = new StringOutput();
        templates.render("portal/" + template + ".jte", params, out);
        ctx.status(status).contentType("text/html; charset=utf-8").result(out.toString());
    }

    /**
     * A session cookie: HttpOnly (no script reads it), {@code SameSite=Strict} (no other site's request carries it),
     * only for {@code path}, {@code Secure} when the browser came over HTTPS; {@code maxAge} null: the browser's session.
     */
    static String cookie(Context ctx, String name, String path, String value, java.time.Duration maxAge) {
        var cookie = new StringBuilder(name).append('=').append(value)
                .append("; Path=").append(path).append("; HttpOnly; SameSite=Strict");
        if (maxAge != null) cookie.append("; Max-Age=").append(maxAge.toSeconds());
        if (dev.herald.api.PortalAccessRoutes.publicScheme(ctx).equals("https")) cookie.append("; Secure");
        return cookie.toString();
    }

    /**
     * The links to the pages before and after {@code page} of a list newest first: {@code list} + an iterator +
     * {@code query} (the list's other parameters); null where there is no such page.
     */
    static void pager(Map<String, Object> params, dev.herald.domain.PageRequest request, dev.herald.domain.Page<?> page,
                      String list, String query) {
        params.put("older", page.done() || page.iterator() == null ? null : list + "?iterator=" + page.iterator() + query);
        params.put("newer", request.cursor() == null || page.prevIterator() == null ? null
                : list + "?iterator=" + page.prevIterator() + query);
    }

    static String form(Context ctx, String name) {
        String value = ctx.formParam(name);
        return value == null ? "" : value.trim();
    }
}
