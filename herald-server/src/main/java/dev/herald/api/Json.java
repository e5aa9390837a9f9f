package dev.herald.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.core.StreamReadConstraints;

/** The one Jackson configuration of the API: ISO-8601 instants, strict duplicate keys, bounded nesting. */
public final class Json {
    public static final ObjectMapper MAPPER = create();
    /**
     * Reads a text that must be one JSON value and nothing after it, as serde_json (svix-server's) reads a body: the
     * mapper alone read the first value and dropped the rest, so {@code {"name":"a"}{"name":"b"}} made one application
     * and a truncated-then-concatenated body was half taken.
     */
    public static final com.fasterxml.jackson.databind.ObjectReader WHOLE =
            MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {}

    /**
     * Instants to the microsecond, as PostgreSQL keeps them: an answer made from the clock (which reads nanoseconds on
     * Linux) showed nine digits that every later read showed as six. Registered after JavaTimeModule, so it wins.
     */
    private static com.fasterxml.jackson.databind.Module microsecondInstants() {
        return new com.fasterxml.jackson.databind.module.SimpleModule("microsecond-instants").addSerializer(java.time.Instant.class,
                new com.fasterxml.jackson.databind.ser.std.StdSerializer<>(java.time.Instant.class) {
                    @Override
                    public void serialize(java.time.Instant value, com.fasterxml.jackson.core.JsonGenerator gen,
                                          com.fasterxml.jackson.databind.SerializerProvider provider) throws java.io.IOException {
                        gen.writeString(java.time.format.DateTimeFormatter.ISO_INSTANT.format(
                                value.truncatedTo(java.time.temporal.ChronoUnit.MICROS)));
                    }
                });
    }

    private static final java.util.regex.Pattern CONSTRAINT_SOURCE = java.util.regex.Pattern.compile(", from `[^`]*`\\)");
    private static final java.util.regex.Pattern DUPLICATE_FIELD = java.util.regex.Pattern.compile("^(Duplicate field '.*') for `.*");

    /**
     * What was wrong with a body that did not parse, in the client's terms: Jackson's own words name its settings and
     * classes (a duplicate key "for `ObjectNode`: not allowed when `DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY`
     * enabled", a limit "from `StreamReadConstraints.getMaxNestingDepth()`"), which are none of the client's business.
     */
    static String problemOf(com.fasterxml.jackson.core.JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage());
        var duplicate = DUPLICATE_FIELD.matcher(message);
        if (duplicate.find()) return duplicate.group(1);
        return CONSTRAINT_SOURCE.matcher(message).replaceAll(")");
    }

    private static ObjectMapper create() {
        var mapper = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .registerModule(microsecondInstants())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                // keep numbers as written (1.10 stays 1.10): the payload sent is the payload published
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        mapper.configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                // serde_json's recursion limit, svix-server's: a payload it takes nests up to 127 levels in its body
                .maxNestingDepth(128)
                .maxNumberLength(100)
                .maxStringLength(8 * 1024 * 1024)
                .build());
        return mapper;
    }
}
