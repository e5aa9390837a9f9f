package dev.herald.api;

import dev.herald.domain.Page;
import dev.herald.domain.PageRequest;
import io.javalin.http.Context;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Svix list conventions: {@code limit} (default 50, at most 250), {@code iterator}, {@code order}. */
public final class Lists {
    record ListResponse<T>(List<T> data, String iterator, String prevIterator, boolean done) {}

    /**
     * An iterator is the key of a row of the list: an event type name, or an id of the list's kind (its prefix and a
     * 27-character KSUID); a leading {@code -} pages backwards. Like Svix, anything else is a 422, not an empty page.
     */
    private static final Pattern NAME_ITERATOR = Pattern.compile("-?+[a-zA-Z0-9\\-_.]{1,256}");

    private Lists() {}

    /** The {@code limit} query parameter: 1 to {@link PageRequest#MAX_LIMIT}, {@link PageRequest#DEFAULT_LIMIT} if absent. */
    public static int limit(Context ctx) {
        String limitParam = ctx.queryParam("limit");
        if (limitParam == null) return PageRequest.DEFAULT_LIMIT;
        int limit;
        try {
            limit = Integer.parseInt(limitParam);
        } catch (NumberFormatException e) {
            throw ValidationException.query("limit", "value is not a valid integer");
        }
        if (limit < 1 || limit > PageRequest.MAX_LIMIT) {
            throw ValidationException.query("limit", "limit must be between 1 and " + PageRequest.MAX_LIMIT);
        }
        return limit;
    }

    /** A list keyed by ids of {@code idPrefix} (e.g. {@code Ids.MESSAGE}); null: keyed by event type name. */
    public static PageRequest request(Context ctx, boolean descendingByDefault, String idPrefix) {
        return request(ctx, descendingByDefault, idPrefix, idPrefix);
    }

    /** A list keyed by ids of either prefix (polling endpoints: their own, or an AutoConfig endpoint's). */
    public static PageRequest request(Context ctx, boolean descendingByDefault, String idPrefix, String otherIdPrefix) {
        int limit = limit(ctx);
        String iterator = ctx.queryParam("iterator");
        if (iterator != null && !validIterator(iterator, idPrefix) && !validIterator(iterator, otherIdPrefix)) {
            throw ValidationException.query("iterator", "invalid iterator");
        }
        boolean descending = descendingByDefault;
        String order = ctx.queryParam("order");
        if (order != null) {
            descending = switch (order) {
                case "descending" -> true;
                case "ascending" -> false;
                default -> throw ValidationException.query("order", "order must be ascending or descending");
            };
        }
        return new PageRequest(limit, iterator, descending);
    }

    /**
     * svix-server's reading of {@code after} given without an iterator or {@code before}: the page just after that time
     * (the oldest rows after it, shown newest first, as a page walked backwards is), whose {@code prevIterator} walks on
     * towards the present. As a filter read newest first it gave the newest page after the time instead, and a client
     * walking from there towards the present (as the SDKs' "what is new since" loops do) missed every row in between.
     * The time still filters exactly; the id bound only starts the walk at that time's second.
     */
    public static PageRequest startingAfter(PageRequest page, java.time.Instant before, java.time.Instant after, String idPrefix) {
        if (after == null || before != null || page.cursor() != null || !page.descending()) return page;
        return new PageRequest(page.limit(), "-" + dev.herald.domain.Ids.firstAt(idPrefix, after), true);
    }

    private static boolean validIterator(String iterator, String idPrefix) {
        if (idPrefix == null) return NAME_ITERATOR.matcher(iterator).matches();
        String id = iterator.startsWith("-") ? iterator.substring(1) : iterator;
        return id.length() == idPrefix.length() + 27 && id.startsWith(idPrefix)
                && id.chars().skip(idPrefix.length()).allMatch(c -> c < 128 && Character.isLetterOrDigit(c));
    }

    static <T, R> ListResponse<R> response(Page<T> page, Function<T, R> mapper) {
        return new ListResponse<>(page.data().stream().map(mapper).toList(), page.iterator(), page.prevIterator(), page.done());
    }
}
