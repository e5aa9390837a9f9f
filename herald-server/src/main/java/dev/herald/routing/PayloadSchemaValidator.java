package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An event type's {@code schemas}, {@code {"<version>": <JSON Schema>}} as Svix stores them ({@code {"1": {...}}}),
 * compiled once. Payloads are validated against the newest version, the highest number.
 *
 * <p>Schemas are draft 2020-12 unless their {@code $schema} names another draft the library knows
 * (draft-07, 2019-09, 06, 04). References must be local; nothing is ever fetched. Every version is checked
 * when compiling, not only the newest, so stored schemas are all usable. Instances are immutable and safe to
 * share between threads.
 */
public final class PayloadSchemaValidator {

    /**
     * The regex steps one payload's validation may take in all (about a second; {@link SchemaRegexFactory#MAX_STEPS}
     * is each search's): past them a {@code pattern} counts as not matched, and the payload is refused.
     */
    static final long MAX_REGEX_STEPS = 50_000_000;

    /** A payload wrong everywhere could produce thousands of messages; past this many the rest are summarized. */
    public static final int MAX_VIOLATIONS = 100;

    /** Positive, without leading zeros (so "1" and "01" cannot both claim a version), and small enough for an int. */
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");

    private final String newestVersion;
    private final Schema newest;

    private PayloadSchemaValidator(String newestVersion, Schema newest) {
        this.newestVersion = newestVersion;
        this.newest = newest;
    }

    /**
     * @throws InvalidSchemaException when {@code schemas} is not an object, a version is not a positive integer,
     *     or a schema is not a valid JSON Schema, names an unknown {@code $schema} or has a non-local {@code $ref}
     */
    public static PayloadSchemaValidator compile(JsonNode schemas) {
        if (schemas == null || !schemas.isObject()) {
            throw new InvalidSchemaException("schemas must be a JSON object of version to JSON Schema, like {\"1\": {...}}");
        }
        String newestVersion = null;
        int newestNumber = 0;
        Schema newest = null;
        for (Map.Entry<String, JsonNode> entry : schemas.properties()) {
            String version = entry.getKey();
            int number = versionNumber(version);
            Schema compiled = OfflineSchemaCompiler.compile(entry.getValue(), "schema version " + version);
            if (number > newestNumber) {
                newestVersion = version;
                newestNumber = number;
                newest = compiled;
            }
        }
        return new PayloadSchemaValidator(newestVersion, newest);
    }

    /**
     * What is wrong with the payload under the newest schema, one message per problem with its JSON path
     * ({@code $.amount: string found, integer expected}); empty when it conforms or there is no schema.
     *
     * @throws InvalidSchemaException in the rare case the schema turns out unusable only now, such as a
     *     {@code $ref} cycle reached through one property of this payload
     */
    public List<String> violations(JsonNode payload) {
        if (newest == null) {
            return List.of();
        }
        JsonNode instance = payload == null ? NullNode.getInstance() : payload;
        List<Error> errors = MeteredMatch.withSharedBudget(MAX_REGEX_STEPS,
                () -> OfflineSchemaCompiler.validate(newest, instance, "schema version " + newestVersion));
        List<String> messages = new ArrayList<>(Math.min(errors.size(), MAX_VIOLATIONS + 1));
        for (Error error : errors) {
            if (messages.size() == MAX_VIOLATIONS) {
                messages.add("… and " + (errors.size() - MAX_VIOLATIONS) + " more");
                break;
            }
            messages.add(error.toString());
        }
        return List.copyOf(messages);
    }

    /** The version payloads are validated against; empty when {@code schemas} was {@code {}}. */
    public Optional<String> version() {
        return Optional.ofNullable(newestVersion);
    }

    private static int versionNumber(String version) {
        if (!VERSION.matcher(version).matches()) {
            throw new InvalidSchemaException("schema version '" + version + "' must be a positive integer, like \"1\"");
        }
        return Integer.parseInt(version);
    }
}
