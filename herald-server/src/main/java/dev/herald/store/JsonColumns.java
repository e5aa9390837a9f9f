package dev.herald.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.security.SecretBox;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Conversions between PostgreSQL column types (jsonb, text[], timestamptz) and Java values. */
public final class JsonColumns {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> STRING_MAP = new TypeReference<>() {};

    private JsonColumns() {}

    public static String toJson(Map<String, String> map) {
        try {
            return MAPPER.writeValueAsString(map == null ? Map.of() : map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON object of strings, as {@link #toJson} writes it. */
    public static Map<String, String> fromJson(String json) {
        try {
            return MAPPER.readValue(json, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON object of strings", e);
        }
    }

    public static Map<String, String> stringMap(ResultSet rs, String column) throws SQLException {
        String json = rs.getString(column);
        if (json == null) return Map.of();
        try {
            return MAPPER.readValue(json, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new SQLException("column " + column + " holds invalid JSON", e);
        }
    }

    /**
     * Signing secrets read as two parallel text arrays, {@code secret_key_ids} and {@code secret_ciphertexts} (base64:
     * plain text arrays for the driver); none when the columns are null.
     */
    public static List<SecretBox.Sealed> sealedSecrets(ResultSet rs) throws SQLException {
        Array keyIds = rs.getArray("secret_key_ids");
        Array ciphertexts = rs.getArray("secret_ciphertexts");
        if (keyIds == null || ciphertexts == null) return List.of();
        var ids = (String[]) keyIds.getArray();
        var texts = (String[]) ciphertexts.getArray();
        var sealed = new ArrayList<SecretBox.Sealed>(ids.length);
        for (int i = 0; i < ids.length; i++) sealed.add(new SecretBox.Sealed(ids[i], Base64.getMimeDecoder().decode(texts[i])));
        return sealed;
    }

    /** An endpoint's sealed headers (V31), null when it has none sealed. */
    public static SecretBox.Sealed sealedHeaders(ResultSet rs) throws SQLException {
        String keyId = rs.getString("headers_key_id");
        byte[] sealed = rs.getBytes("headers_sealed");
        return keyId == null || sealed == null ? null : new SecretBox.Sealed(keyId, sealed);
    }

    public static String[] textArray(Set<String> values) {
        return values == null ? null : values.toArray(String[]::new);
    }

    /**
     * The values as a PostgreSQL array literal, every element quoted (its quotes and backslashes escaped); null for null.
     * For a text[] per row of a statement that takes its rows as arrays (an array of arrays must be rectangular).
     */
    public static String arrayLiteral(Set<String> values) {
        if (values == null) return null;
        var literal = new StringBuilder("{");
        for (String v : values) {
            if (literal.length() > 1) literal.append(',');
            literal.append('"');
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '"' || c == '\\') literal.append('\\');
                literal.append(c);
            }
            literal.append('"');
        }
        return literal.append('}').toString();
    }

    public static Set<String> stringSet(ResultSet rs, String column) throws SQLException {
        Array array = rs.getArray(column);
        if (array == null) return null;
        return new LinkedHashSet<>(Arrays.asList((String[]) array.getArray()));
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    public static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }
}
