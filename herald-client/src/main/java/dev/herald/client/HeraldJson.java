package dev.herald.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one Jackson configuration of the client: ISO-8601 instants, absent fields left out, unknown fields
 * ignored (a newer Herald may add some), and numbers kept as written so a payload arrives byte for byte.
 */
public final class HeraldJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private HeraldJson() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Reads a text that must be one JSON value and nothing after it. */
    private static final com.fasterxml.jackson.databind.ObjectReader WHOLE_TEXT =
            MAPPER.reader().with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Any value (record, map, JsonNode) as JSON text. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * A webhook payload as JSON text: a JSON object, as Herald requires. A {@code String} is taken as JSON text
     * already written, anything else is serialized.
     *
     * @throws IllegalArgumentException if the result is not a JSON object
     */
    public static String payload(Object payload) {
        if (payload == null) throw new IllegalArgumentException("payload is missing");
        String json = payload instanceof String text ? text : write(payload);
        JsonNode parsed;
        try {
            // the whole text must be the one object: it is written into the request as it is, so anything after the
            // object (say ,"eventType":"…") would become fields of the request
            parsed = WHOLE_TEXT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (parsed == null || !parsed.isObject()) throw new IllegalArgumentException("payload must be a JSON object");
        return json;
    }

    public static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
