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
import java.util.List;
import java.util.Map;

/**
 * What the portal's and the dashboard's pages share: their headers, their templates, and refusals shown as a page,
 * or to htmx as a fragment for the spot it was to fill. Refusals are the API's own exceptions.
 */
final class Pages {
    /**
     * No inline script or style, nothing from elsewhere but images over https (the logos of the operator's connectors);
     * in a frame only of the origins named.
     */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https:; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors ";

    /** A page's work; it throws the API's exceptions to refuse. */
    @FunctionalInterface
    interface Work {
        void run();
    }

    private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);
    /** What the error page says when a session has ended: where to get a new one. */
    private final String signedOutHint;
    private final String policy;

    /** @param frameAncestors the origins whose pages may show these in a frame; none: no frame at all */
    Pages(String signedOutHint, java.util.List<String> frameAncestors) {
        this.signedOutHint = signedOutHint;
        this.policy = CSP + (frameAncestors.isEmpty() ? "'none'" : String.join(" ", frameAncestors));
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

    void headers(Context ctx) {
        ctx.header("Content-Security-Policy", policy);
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Content-Type-Options", "nosniff");
    }

    /** htmx marks its requests; a form another site posts cannot. */
    private static void requireOwnPage(Context ctx) {
        if (!htmx(ctx)) throw new ApiException(403, "insufficient access", "Changes are made from the pages themselves");
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
     * A session cookie: HttpOnly (no script reads it), only for {@code path}; {@code maxAge} null: the browser's
     * session. Unless {@code framed}, {@code SameSite=Strict} (no other site's request carries it), and {@code Secure}
     * when the browser came over HTTPS. {@code framed}: the pages are shown in another site's frame, where a strict
     * cookie is never sent, so it is {@code SameSite=None; Secure; Partitioned} (kept for that site's frames alone);
     * changes still need htmx's header, which no other site can add.
     */
    static String cookie(Context ctx, String name, String path, String value, java.time.Duration maxAge, boolean framed) {
        var cookie = new StringBuilder(name).append('=').append(value).append("; Path=").append(path).append("; HttpOnly");
        if (maxAge != null) cookie.append("; Max-Age=").append(maxAge.toSeconds());
        if (framed) {
            cookie.append("; SameSite=None; Secure; Partitioned");
        } else {
            cookie.append("; SameSite=Strict");
            if (dev.herald.api.PortalAccessRoutes.publicScheme(ctx).equals("https")) cookie.append("; Secure");
        }
        return cookie.toString();
    }

    /**
     * The links to the pages before and after {@code page} of a list newest first: {@code list} + an iterator +
     * {@code query} (the list's other parameters); null where there is no such page.
     */
    static void pager(Map<String, Object> params, dev.herald.domain.PageRequest request, dev.herald.domain.Page<?> page,
                      String list, String query) {
        // "done" says the walk in the page's own direction ended: paging back (towards newer), no newer page is left,
        // and the older pages it came from are still there
        boolean back = request.backwards();
        boolean noOlder = (!back && page.done()) || page.iterator() == null;
        boolean noNewer = request.cursor() == null || page.prevIterator() == null || (back && page.done());
        params.put("older", noOlder ? null : list + "?iterator=" + page.iterator() + query);
        params.put("newer", noNewer ? null : list + "?iterator=" + page.prevIterator() + query);
    }

    /**
     * Runs a form's change; on the API's objection, {@code again} shows the form once more with its status and the
     * objections by field ({@code form}: one that names no field).
     */
    static void submit(Work change, java.util.function.BiConsumer<Integer, Map<String, String>> again) {
        try {
            change.run();
        } catch (ValidationException e) {
            again.accept(422, errorsByField(e));
        } catch (ApiException e) {
            again.accept(e.status(), Map.of("form", e.getMessage()));
        } catch (ConflictException e) {
            again.accept(409, Map.of("form", e.getMessage()));
        }
    }

    /** The API's objections by the field each names (the last part of its location), to show beside a form's fields. */
    static Map<String, String> errorsByField(dev.herald.api.ValidationException e) {
        var errors = new java.util.HashMap<String, String>();
        for (var item : e.items()) errors.merge(item.loc().get(item.loc().size() - 1), item.msg(), (x, y) -> x + "; " + y);
        return errors;
    }

    /** A comma-separated field's items, trimmed, the empty ones dropped. */
    static List<String> commaList(String text) {
        return java.util.Arrays.stream(text.split(",")).map(String::trim).filter(c -> !c.isEmpty()).toList();
    }

    static String form(Context ctx, String name) {
        String value = ctx.formParam(name);
        return value == null ? "" : value.trim();
    }
}
