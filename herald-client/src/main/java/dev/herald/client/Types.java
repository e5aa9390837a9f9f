package dev.herald.client;

import com.fasterxml.jackson.databind.JavaType;
import dev.herald.client.model.ListResponse;

/** Jackson types of the responses, built once per resource class. */
final class Types {
    private Types() {}

    static JavaType of(Class<?> type) {
        return HeraldJson.mapper().getTypeFactory().constructType(type);
    }

    static JavaType listOf(Class<?> item) {
        return HeraldJson.mapper().getTypeFactory().constructParametricType(ListResponse.class, item);
    }
}
