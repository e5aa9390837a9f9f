package dev.herald.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A JSON request body read field by field. Every problem is collected and reported together as one
 * 422 in Svix's shape, naming each field ({@code loc}), what is wrong ({@code msg}) and its kind ({@code type}).
 */
public final class Body {
    /** The characters of a uid (Svix's). */
    public static final Pattern UID = Pattern.compile("^[a-zA-Z0-9\\-_.]+$");
    private final ObjectNode root;
    /** Where {@link #root} is in the request, e.g. {@code [body]} or {@code [body, eventTypes, [2]]}: errors' {@code loc}. */
    private final List<String> path;
    private final List<ValidationException.Item> errors = new ArrayList<>();

    private Body(ObjectNode root, List<String> path) {
        this.root = root;
        this.path = path;
    }

    /** One object inside a body (an item of a list of inputs), its problems located under {@code path}. */
    static Body nested(ObjectNode node, List<String> path) {
        return new Body(node, List.copyOf(path));
    }

    public static Body of(Context ctx) {
        return of(ctx.bodyAsBytes());
    }

    public static Body of(byte[] bytes) {
        if (bytes.length == 0) {
            throw new ValidationException(List.of(new ValidationException.Item(List.of("body"), "A JSON body is required",
                    "value_error.missing")));
        }
        JsonNode node;
        try {
            node = Json.WHOLE.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ValidationException(List.of(new ValidationException.Item(List.of("body"),
                    "Invalid JSON: " + Json.problemOf(e), "value_error.jsondecode")));
        } catch (java.io.IOException e) {
            throw new ValidationException(List.of(new ValidationException.Item(List.of("body"),
                    "Unreadable body", "value_error.jsondecode")));
        }
        if (!(node instanceof ObjectNode object)) {
            throw new ValidationException(List.of(new ValidationException.Item(List.of("body"),
                    "The body must be a JSON object", "type_error.dict")));
        }
        return new Body(object, List.of("body"));
    }

    /**
     * NUL (PostgreSQL refuses it) or a lone UTF-16 surrogate (from a JSON escape like \ud800, which the
     * database driver would silently turn into '?'): text Herald cannot store faithfully.
     */
    private static boolean containsNul(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) return true;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) return true;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** Why a message payload cannot be taken, or null. */
    public record PayloadProblem(String msg, String type) {}

    private static final PayloadProblem UNSTORABLE_TEXT =
            new PayloadProblem("payload strings must not contain NUL or unpaired surrogates", "value_error.str.nul");
    /**
     * A number beyond a double's range ({@code 1e999999}): serde_json refuses it as a value, and a receiver's parser reads
     * Infinity or fails (Go's encoding/json), so the webhook could not be read where it lands.
     */
    private static final PayloadProblem NUMBER_OUT_OF_RANGE =
            new PayloadProblem("payload numbers must be within a double's range (number out of range)", "value_error.jsondecode");

    /** Text that cannot be stored faithfully, or a number no receiver can read; null if neither, in one walk. */
    public static PayloadProblem payloadProblem(JsonNode node) {
        if (node.isTextual()) return containsNul(node.textValue()) ? UNSTORABLE_TEXT : null;
        if (node.isNumber()) return Double.isFinite(node.doubleValue()) ? null : NUMBER_OUT_OF_RANGE;
        if (node.isArray()) {
            for (JsonNode item : node) {
                var problem = payloadProblem(item);
                if (problem != null) return problem;
            }
        } else if (node.isObject()) {
            for (var entry : node.properties()) {
                if (containsNul(entry.getKey())) return UNSTORABLE_TEXT;
                var problem = payloadProblem(entry.getValue());
                if (problem != null) return problem;
            }
        }
        return null;
    }

    private static boolean containsNul(JsonNode node) {
        if (node.isTextual()) return containsNul(node.textValue());
        if (node.isArray()) {
            for (JsonNode item : node) if (containsNul(item)) return true;
        } else if (node.isObject()) {
            for (var entry : node.properties()) {
                if (containsNul(entry.getKey()) || containsNul(entry.getValue())) return true;
            }
        }
        return false;
    }

    public ObjectNode root() {
        return root;
    }

    /** Present in the body, even as null (PATCH tells "set to null" from "leave alone" by this). */
    public boolean has(String field) {
        return root.has(field);
    }

    /**
     * Refuses an explicit null for a field that has no null state (Svix's PATCH types read such a field as "absent or a
     * value": a null is a 422 there). Read as absent, it set the field's default instead: {@code "disabled": null}
     * enabled the endpoint again, {@code "metadata": null} wiped the metadata.
     */
    public void refuseNull(String field) {
        if (root.has(field) && root.get(field).isNull()) fail(field, "none is not an allowed value", "type_error.none.not_allowed");
    }

    private JsonNode value(String field) {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? null : node;
    }

    public void fail(String field, String msg, String type) {
        var loc = new ArrayList<>(path);
        loc.add(field);
        errors.add(new ValidationException.Item(loc, msg, type));
    }

    public String requiredString(String field, int minLength, int maxLength) {
        JsonNode node = value(field);
        if (node == null) {
            fail(field, "field required", "value_error.missing");
            return null;
        }
        return checkString(field, node, minLength, maxLength);
    }

    public String string(String field, int minLength, int maxLength) {
        JsonNode node = value(field);
        return node == null ? null : checkString(field, node, minLength, maxLength);
    }

    /**
     * {@code value} (a name or description read from {@code field}), failing the field when it holds a control
     * character 0x01-0x08 (NUL is refused everywhere already): Svix refuses them in these fields, which pages and logs
     * show to people.
     */
    public String displayable(String field, String value) {
        if (value == null) return null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x01 && c <= 0x08) {
                fail(field, "Control characters 0x00-0x08 not allowed.", "value_error");
                return null;
            }
        }
        return value;
    }

    /**
     * A uid read from {@code field}: up to 256 of the characters {@link #UID} allows, and never starting with
     * {@code idPrefixes}. A uid such as {@code app_x} reads as an id in every path that takes either, so it could name
     * another object or nothing (Svix refuses it with this message).
     */
    public String uid(String field, String... idPrefixes) {
        return notAnId(field, string(field, 1, 256, UID), idPrefixes);
    }

    /** {@code value} (read from {@code field}), failing the field when it starts with one of {@code idPrefixes}. */
    public String notAnId(String field, String value, String... idPrefixes) {
        if (value == null) return null;
        // a path segment of "." or ".." is a dot-segment: normalised away on the way, the URL names another resource
        if (value.equals(".") || value.equals("..")) {
            fail(field, "a uid of \".\" or \"..\" cannot be named in a URL", "value_error");
            return null;
        }
        for (String prefix : idPrefixes) {
            if (value.startsWith(prefix)) {
                fail(field, "Uids are not allowed to have the same prefix as the ID. Prefix with _?", "value_error");
                return null;
            }
        }
        return value;
    }

    public String string(String field, int minLength, int maxLength, Pattern pattern) {
        String value = string(field, minLength, maxLength);
        if (value != null && !pattern.matcher(value).matches()) {
            fail(field, "string does not match regex \"" + pattern.pattern() + "\"", "value_error.str.regex");
            return null;
        }
        return value;
    }

    private String checkString(String field, JsonNode node, int minLength, int maxLength) {
        if (!node.isTextual()) {
            fail(field, "str type expected", "type_error.str");
            return null;
        }
        String text = node.textValue();
        if (containsNul(text)) {
            failNul(field);
            return null;
        }
        if (text.length() < minLength) {
            fail(field, "ensure this value has at least " + minLength + " characters", "value_error.any_str.min_length");
            return null;
        }
        if (text.length() > maxLength) {
            fail(field, "ensure this value has at most " + maxLength + " characters", "value_error.any_str.max_length");
            return null;
        }
        return text;
    }

    /** {@link #longValue}, and a failure when the field is missing or null. */
    public Long requiredLong(String field, long min, long max) {
        if (value(field) == null) fail(field, "field required", "value_error.missing");
        return longValue(field, min, max);
    }

    /** Svix's rates and versions are u16 in its SDKs, and at least 1: a larger value breaks their typed clients' reads. */
    public static final long U16_MAX = 65_535;

    /** A rate ({@code rateLimit}, {@code throttleRate}) or {@code version}: 1 to 65,535, as Svix takes it. */
    public Long positiveU16(String field) {
        return longValue(field, 1, U16_MAX);
    }

    public Long longValue(String field, long min, long max) {
        JsonNode node = value(field);
        if (node == null) return null;
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            fail(field, "value is not a valid integer", "type_error.integer");
            return null;
        }
        long v = node.longValue();
        if (v < min || v > max) {
            fail(field, "ensure this value is between " + min + " and " + max, "value_error.number.not_in_range");
            return null;
        }
        return v;
    }

    public Boolean bool(String field) {
        JsonNode node = value(field);
        if (node == null) return null;
        if (!node.isBoolean()) {
            fail(field, "value could not be parsed to a boolean", "type_error.bool");
            return null;
        }
        return node.booleanValue();
    }

    /** Svix's metadata limit: the map written as JSON, at most this many bytes (its only limit: no count of entries). */
    static final int MAX_METADATA_BYTES = 4096;

    /** Svix's Metadata: string values, at most {@link #MAX_METADATA_BYTES} written as JSON; null when absent or null. */
    public Map<String, String> metadata(String field) {
        Map<String, String> map = stringMap(field, Integer.MAX_VALUE, Integer.MAX_VALUE);
        if (map == null) return null;
        try {
            if (Json.MAPPER.writeValueAsBytes(map).length > MAX_METADATA_BYTES) {
                fail(field, "metadata must be less than or equal to " + MAX_METADATA_BYTES + " bytes", "value_error");
                return null;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a map of strings is always JSON", e);
        }
        return map;
    }

    public Map<String, String> stringMap(String field, int maxEntries, int maxValueLength) {
        JsonNode node = value(field);
        if (node == null) return null;
        if (!node.isObject()) {
            fail(field, "value is not a valid dict", "type_error.dict");
            return null;
        }
        if (node.size() > maxEntries) {
            fail(field, "at most " + maxEntries + " entries are allowed", "value_error.dict.max_items");
            return null;
        }
        var map = new LinkedHashMap<String, String>();
        var fields = node.properties();
        for (var entry : fields) {
            if (containsNul(entry.getKey()) || containsNul(entry.getValue())) {
                failNul(field);
                return null;
            }
            if (!entry.getValue().isTextual()) {
                fail(field, "values must be strings (" + entry.getKey() + ")", "type_error.str");
                return null;
            }
            if (entry.getValue().textValue().length() > maxValueLength) {
                fail(field, "value of " + entry.getKey() + " is longer than " + maxValueLength, "value_error.any_str.max_length");
                return null;
            }
            map.put(entry.getKey(), entry.getValue().textValue());
        }
        return map;
    }

    public Set<String> stringSet(String field, int maxItems, Pattern itemPattern, int maxItemLength) {
        JsonNode node = value(field);
        if (node == null) return null;
        if (!node.isArray()) {
            fail(field, "value is not a valid list", "type_error.list");
            return null;
        }
        if (node.size() > maxItems) {
            fail(field, "ensure this value has at most " + maxItems + " items", "value_error.list.max_items");
            return null;
        }
        var set = new LinkedHashSet<String>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                fail(field, "str type expected", "type_error.str");
                return null;
            }
            String text = item.textValue();
            if (containsNul(text)) {
                failNul(field);
                return null;
            }
            if (text.isEmpty() || text.length() > maxItemLength
                    || (itemPattern != null && !itemPattern.matcher(text).matches())) {
                fail(field, "invalid item '" + abbreviate(text) + "'", "value_error.str.regex");
                return null;
            }
            set.add(text);
        }
        return set;
    }

    /** {@link #timestamp}, and a failure when the field is missing or null. */
    public Instant requiredTimestamp(String field) {
        Instant value = timestamp(field);
        JsonNode given = raw(field);
        if (given == null || given.isNull()) fail(field, "field required", "value_error.missing");
        return value;
    }

    public Instant timestamp(String field) {
        JsonNode node = value(field);
        if (node == null) return null;
        if (!node.isTextual()) {
            fail(field, "invalid datetime format", "type_error.datetime");
            return null;
        }
        try {
            return parseTimestamp(node.textValue());
        } catch (DateTimeParseException e) {
            fail(field, e.getMessage(), "value_error.datetime");
            return null;
        }
    }

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    /**
     * An ISO 8601 timestamp with its offset, in years 1 to 9999 (as Svix's): java.time reads years of up to nine
     * digits, which no PostgreSQL timestamp holds and which overflowed on the way to the database (a 500, or a
     * failed background task).
     */
    public static Instant parseTimestamp(String text) {
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new DateTimeParseException("invalid datetime format", text, e.getErrorIndex());
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new DateTimeParseException("datetime out of range (years 1 to 9999)", text, 0);
        }
        return instant;
    }

    public JsonNode object(String field) {
        JsonNode node = value(field);
        if (node == null) return null;
        if (!node.isObject()) {
            fail(field, "value is not a valid dict", "type_error.dict");
            return null;
        }
        if (containsNul(node)) {
            failNul(field);
            return null;
        }
        return node;
    }

    /** PostgreSQL text and jsonb cannot hold U+0000: refused here rather than failing (500) at the insert. */
    private void failNul(String field) {
        fail(field, "strings must not contain the NUL character (\\u0000) or unpaired surrogates", "value_error.str.nul");
    }

    public JsonNode raw(String field) {
        return value(field);
    }

    /** Throws the collected problems, if any, as one 422. */
    public void validate() {
        if (!errors.isEmpty()) throw new ValidationException(errors);
    }

    static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
