package dev.herald.api;

import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Typed query parameters. A value that does not parse is the caller's mistake and a 422 naming it ({@code ["query",
 * name]}), never a silent fallback to the default: {@code with_content=flase} once answered as if it were absent.
 */
final class QueryParams {
    private QueryParams() {}

    /**
     * A 400 for a query string with a broken percent-escape ({@code %ZZ}, a lone {@code %}). Javalin leaves such a
     * parameter out, so {@code limit=2%ZZ} listed 50 and {@code event_types=a%ZZ} listed every type, as if not given.
     */
    static void requireWellFormed(Context ctx) {
        String query = ctx.queryString();
        if (query == null || query.indexOf('%') < 0) return;
        for (String pair : query.split("&")) {
            try {
                URLDecoder.decode(pair, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                String name = pair.split("=", 2)[0];
                if (name.length() > 64) name = name.substring(0, 64) + "…";
                throw ApiException.badRequest("query parameter '" + name + "' is not valid percent-encoding");
            }
        }
    }

    /**
     * A 400 for a Content-Type whose charset Javalin cannot decode query parameters in: it decodes them in that charset,
     * so {@code charset} without a value threw (a 500 on any request reading a parameter), and an unknown one made every
     * parameter vanish ({@code limit}, {@code event_types} and {@code expunge} read as absent). The charset is found as
     * Javalin finds it (the first {@code ;} part starting with "charset", its value after the {@code =}).
     */
    static void requireReadableCharset(Context ctx) {
        String contentType = ctx.header("Content-Type");
        if (contentType == null) return;
        for (String part : contentType.split(";")) {
            if (!part.trim().regionMatches(true, 0, "charset", 0, 7)) continue;
            String[] nameAndValue = part.split("=", -1);
            String charset = nameAndValue.length < 2 ? "" : nameAndValue[1].trim();
            boolean known;
            try {
                known = !charset.isEmpty() && java.nio.charset.Charset.isSupported(charset);
            } catch (java.nio.charset.IllegalCharsetNameException e) {
                known = false;
            }
            if (!known) {
                String shown = charset.length() > 40 ? charset.substring(0, 40) + "…" : charset;
                throw ApiException.badRequest("Content-Type names a charset that cannot be read ('" + shown + "'): send UTF-8");
            }
            return;
        }
    }

    /** {@code true} or {@code false} (any case, as the SDKs and curl users write them); absent or empty: the default. */
    static boolean bool(Context ctx, String name, boolean absent) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty()) return absent;
        if (value.equalsIgnoreCase("true")) return true;
        if (value.equalsIgnoreCase("false")) return false;
        throw ValidationException.query(name, name + " must be true or false");
    }

    /** An integer from {@code min} to {@code max}; absent or blank: null. */
    static Integer integer(Context ctx, String name, int min, int max) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) return null;
        try {
            int v = Integer.parseInt(value);
            if (v < min || v > max) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw ValidationException.query(name, name + " must be an integer between " + min + " and " + max);
        }
    }

    /**
     * A name to filter by ({@code channel}, {@code tag}, {@code event_type}): {@code pattern}'s characters, at most
     * {@code maxLength}, as a stored one is; absent or empty: null. One no stored name can be is a 422, not an empty list.
     */
    static String name(Context ctx, String name, java.util.regex.Pattern pattern, int maxLength) {
        String value = ctx.queryParam(name);
        return value == null || value.isEmpty() ? null : checkedName(name, value, pattern, maxLength);
    }

    /** {@code value}, one of parameter {@code name}'s, when a stored name could be it; otherwise a 422 naming both. */
    static String checkedName(String name, String value, java.util.regex.Pattern pattern, int maxLength) {
        if (value.length() > maxLength || !pattern.matcher(value).matches()) {
            String shown = value.length() > 64 ? value.substring(0, 64) + "…" : value;
            throw ValidationException.query(name, "'" + shown + "' is not a " + name + " value: at most " + maxLength
                    + " characters matching " + pattern.pattern());
        }
        return value;
    }

    static String channel(Context ctx) {
        return name(ctx, "channel", EndpointInput.CHANNEL, 128);
    }

    static String tag(Context ctx) {
        return name(ctx, "tag", MessageRoutes.TAG, 128);
    }

    /** A timestamp as the API's bodies take them (RFC 3339); absent or blank: null. */
    static Instant time(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) return null;
        try {
            return Body.parseTimestamp(value);
        } catch (DateTimeParseException e) {
            throw ValidationException.query(name, e.getMessage());
        }
    }
}
