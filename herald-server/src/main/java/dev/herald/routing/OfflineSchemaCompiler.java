package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Compiles one JSON Schema with networknt json-schema-validator, never leaving the process.
 *
 * <p>The schema is first checked against its dialect's meta-schema, which ships inside the library, so
 * typos such as {@code "type": "strin"} are refused instead of silently matching nothing. It is then compiled
 * by a registry that may load no resource at all: {@code $ref} can only point inside the schema itself,
 * and a remote or classpath reference fails here instead of reaching out at validation time.
 */
final class OfflineSchemaCompiler {

    static final SpecificationVersion DEFAULT_DIALECT = SpecificationVersion.DRAFT_2020_12;

    private static final String LOOPING_REFS = "its $ref chain loops without reaching a value";
    private static final List<JsonNode> PROBES = List.of(
            NullNode.getInstance(), JsonNodeFactory.instance.objectNode(), JsonNodeFactory.instance.arrayNode());

    /** Meta-schema problems shown in an error message; the rest are counted. */
    private static final int SHOWN_PROBLEMS = 3;

    private static final SchemaRegistryConfig CONFIG = SchemaRegistryConfig.builder()
            .pathType(PathType.JSON_PATH)
            // messages are API output: one language whatever the server's locale
            .locale(Locale.ENGLISH)
            .regularExpressionFactory(new SchemaRegexFactory())
            .build();

    /** Resolves only the standard meta-schemas, from the library's own resources. */
    private static final SchemaRegistry META_SCHEMAS = SchemaRegistry.withDefaultDialect(DEFAULT_DIALECT,
            builder -> builder.schemaRegistryConfig(CONFIG).schemaLoader(loader -> loader.fetchRemoteResources(false)));

    private OfflineSchemaCompiler() {}

    /** @throws InvalidSchemaException starting with {@code label} when the schema is not usable */
    static Schema compile(JsonNode schema, String label) {
        if (!schema.isObject() && !schema.isBoolean()) {
            throw new InvalidSchemaException(label + " must be a JSON Schema object");
        }
        SpecificationVersion dialect = dialect(schema, label);
        checkAgainstMetaSchema(schema, dialect, label);
        requireBoundedExpansion(schema, label);
        try {
            Schema compiled = isolatedRegistry(dialect).getSchema(schema);
            // resolves every $ref now, so a bad one is reported at compile time, not on the first payload
            compiled.initializeValidators();
            probe(compiled);
            return compiled;
        } catch (SchemaException | IllegalArgumentException e) {
            throw new InvalidSchemaException(label + " does not compile: " + describe(e));
        } catch (StackOverflowError e) {
            throw new InvalidSchemaException(label + " does not compile: " + LOOPING_REFS);
        }
    }

    /**
     * How many values a validation may walk, the schema's local {@code $ref}s written out. The library checks every
     * branch of an {@code allOf} and remembers no result, so forty {@code $defs} each naming the next twice took 2^40
     * checks: a schema of a few lines held a thread for ever at its create, or at each publish when under a property.
     */
    static final long MAX_EXPANDED_VALUES = 1_000_000;
    /** What a reference counts for when it names no pointer, anchor or id of the schema (the library may resolve it). */
    private static final long UNLOCATED_REFERENCE = 100_000;

    private static void requireBoundedExpansion(JsonNode schema, String label) {
        var named = new java.util.HashMap<String, JsonNode>();
        collectNamed(schema, named);
        if (expandedSize(schema, schema, named, new java.util.HashMap<>(), new java.util.HashSet<>()) > MAX_EXPANDED_VALUES) {
            throw new InvalidSchemaException(label + " is too large to validate with: its references written out come to more than "
                    + MAX_EXPANDED_VALUES + " values");
        }
    }

    /** Every {@code $anchor}, {@code $dynamicAnchor} (as {@code #name}) and {@code $id} of the schema, to the node naming it. */
    private static void collectNamed(JsonNode node, java.util.Map<String, JsonNode> named) {
        if (node.isObject()) {
            for (String key : List.of("$anchor", "$dynamicAnchor")) {
                if (node.path(key).isTextual()) named.putIfAbsent("#" + node.path(key).textValue(), node);
            }
            if (node.path("$id").isTextual()) named.putIfAbsent(node.path("$id").textValue(), node);
            node.forEach(child -> collectNamed(child, named));
        } else if (node.isArray()) {
            node.forEach(child -> collectNamed(child, named));
        }
    }

    /** The node a reference names: a JSON pointer ({@code #/…}, percent-decoded), an anchor or an id; null if none. */
    private static JsonNode located(JsonNode root, String ref, java.util.Map<String, JsonNode> named) {
        if (ref.equals("#")) return root;
        if (ref.startsWith("#/")) {
            try {
                JsonNode target = root.at(java.net.URLDecoder.decode(ref.substring(1).replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8));
                return target.isMissingNode() ? null : target;
            } catch (IllegalArgumentException notAPointer) {
                return null;
            }
        }
        return named.get(ref);
    }

    /**
     * The values under {@code node} with each reference ({@code $ref}, {@code $dynamicRef}) counted as what it names, up
     * to a little past the cap. A reference met again on its own path counts once: that recursion is bounded by the
     * payload's depth, not the schema's.
     */
    private static long expandedSize(JsonNode root, JsonNode node, java.util.Map<String, JsonNode> named,
                                     java.util.Map<String, Long> sizes, java.util.Set<String> onPath) {
        long size = 1;
        if (node.isObject()) {
            for (String key : List.of("$ref", "$dynamicRef")) {
                JsonNode ref = node.get(key);
                if (ref == null || !ref.isTextual()) continue;
                String name = ref.textValue();
                Long known = sizes.get(name);
                if (known == null && !onPath.contains(name)) {
                    JsonNode target = located(root, name, named);
                    onPath.add(name);
                    known = target == null ? UNLOCATED_REFERENCE : expandedSize(root, target, named, sizes, onPath);
                    onPath.remove(name);
                    sizes.put(name, known);
                }
                size += known == null ? 1 : known;
            }
            for (var entry : node.properties()) {
                if (size > MAX_EXPANDED_VALUES) break;
                if (!entry.getKey().equals("$ref") && !entry.getKey().equals("$dynamicRef")) {
                    size += expandedSize(root, entry.getValue(), named, sizes, onPath);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                if (size > MAX_EXPANDED_VALUES) break;
                size += expandedSize(root, item, named, sizes, onPath);
            }
        }
        return Math.min(size, MAX_EXPANDED_VALUES + 1);
    }

    /**
     * Validates with the library, turning the few schema faults it only finds while validating (a remote
     * {@code $dynamicRef}, a {@code $ref} cycle reached through one property) into {@link InvalidSchemaException}.
     */
    static List<Error> validate(Schema schema, JsonNode instance, String label) {
        try {
            return schema.validate(instance);
        } catch (SchemaException | IllegalArgumentException e) {
            throw new InvalidSchemaException(label + " cannot be applied: " + describe(e));
        } catch (StackOverflowError e) {
            throw new InvalidSchemaException(label + " cannot be applied: " + LOOPING_REFS);
        }
    }

    /**
     * A {@code $ref} cycle that never descends into the payload ({@code {"$ref": "#"}}) recurses forever, and
     * the library only notices while validating: trying the shapes every payload has at its root catches the
     * usual cases at compile time.
     */
    private static void probe(Schema compiled) {
        for (JsonNode shape : PROBES) {
            compiled.validate(shape);
        }
    }

    /** The library's message, on one line, with a hint when a reference tried to leave the schema. */
    private static String describe(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root instanceof PatternSyntaxException syntax
                ? "invalid pattern: " + syntax.getDescription() + " near index " + syntax.getIndex()
                : String.valueOf(root.getMessage()).replaceAll("\\s+", " ").trim();
        return message.contains("not allowed to be loaded")
                ? message + " Only local references such as \"#/$defs/name\" are allowed."
                : message;
    }

    private static SpecificationVersion dialect(JsonNode schema, String label) {
        JsonNode declared = schema.get("$schema");
        if (declared == null) {
            return DEFAULT_DIALECT;
        }
        Optional<SpecificationVersion> known = declared.isTextual() ? knownDialect(declared.textValue()) : Optional.empty();
        return known.orElseThrow(() -> new InvalidSchemaException(label + " has an unsupported $schema " + declared
                + "; use \"https://json-schema.org/draft/2020-12/schema\" or \"http://json-schema.org/draft-07/schema#\""));
    }

    /** Matches with or without the empty fragment: draft-07 schemas are written both ways. */
    private static Optional<SpecificationVersion> knownDialect(String id) {
        String wanted = withoutEmptyFragment(id);
        return Arrays.stream(SpecificationVersion.values())
                .filter(version -> withoutEmptyFragment(version.getDialectId()).equals(wanted))
                .findFirst();
    }

    private static String withoutEmptyFragment(String id) {
        return id.endsWith("#") ? id.substring(0, id.length() - 1) : id;
    }

    private static void checkAgainstMetaSchema(JsonNode schema, SpecificationVersion dialect, String label) {
        Schema metaSchema = META_SCHEMAS.getSchema(SchemaLocation.of(dialect.getDialectId()));
        List<Error> problems = metaSchema.validate(schema);
        if (problems.isEmpty()) {
            return;
        }
        String shown = problems.stream().limit(SHOWN_PROBLEMS).map(Error::toString).collect(Collectors.joining("; "));
        String more = problems.size() > SHOWN_PROBLEMS ? " (and " + (problems.size() - SHOWN_PROBLEMS) + " more)" : "";
        throw new InvalidSchemaException(label + " is not a valid JSON Schema: " + shown + more);
    }

    /**
     * A registry per schema: the library caches schemas by {@code $id}, and two event types that happen to
     * share an {@code $id} must not see each other's schema. Every load is blocked: references stay local.
     */
    private static SchemaRegistry isolatedRegistry(SpecificationVersion dialect) {
        return SchemaRegistry.withDefaultDialect(dialect, builder -> builder
                .schemaRegistryConfig(CONFIG)
                .schemaLoader(loader -> loader.fetchRemoteResources(false).block(iri -> true)));
    }
}
