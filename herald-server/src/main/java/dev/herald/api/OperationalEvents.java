package dev.herald.api;

import java.util.Map;

/** Where events about Herald itself go (operational webhooks); the API knows no more of them than this. */
@FunctionalInterface
public interface OperationalEvents {
    OperationalEvents NONE = (type, data) -> {};

    void emit(String type, Map<String, Object> data);
}
