package dev.herald.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;

/**
 * Reads a stored payload (or filter, transformation, schemas) back into a tree the way the API parsed it:
 * decimals stay BigDecimal with their trailing zeros, so a template that copies {@code payload.amount}
 * sends 1.10, not 1.1.
 */
public final class PayloadJson {

    private static final ObjectMapper JSON = create();

    private PayloadJson() {}

    /** @throws IllegalArgumentException when the text is not JSON (stored text always is) */
    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static ObjectMapper create() {
        var mapper = new ObjectMapper()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
        // the API accepted these under its own limits; stored text needs room, not stricter ones: a number read with
        // 100 characters may be written back with many more (1…1e-101, 96 ones, is stored as 0.00000 and 96 ones; jsonb
        // writes 1e100 as 101 digits). PostgreSQL's numeric holds at most 131,072 digits before the point and 16,383 after
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(128)
                .maxNumberLength(131_072 + 16_383 + 2)
                .maxStringLength(8 * 1024 * 1024)
                .build());
        return mapper;
    }
}
