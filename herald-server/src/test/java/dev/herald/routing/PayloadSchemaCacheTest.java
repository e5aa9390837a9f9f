package dev.herald.routing;

import static dev.herald.routing.TestJson.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.domain.EventType;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PayloadSchemaCacheTest {

    private static final Instant T1 = Instant.parse("2024-01-01T00:00:00Z");
    private static final Instant T2 = Instant.parse("2024-02-01T00:00:00Z");

    private final PayloadSchemaCache cache = new PayloadSchemaCache(2);
    private final AtomicInteger compilations = new AtomicInteger();

    /** Schemas that count how often the cache asks for them. */
    private Supplier<JsonNode> schemas(String json) {
        return () -> {
            compilations.incrementAndGet();
            return json(json);
        };
    }

    @Test
    void the_same_event_type_version_is_compiled_once() {
        PayloadSchemaValidator first = cache.validatorFor("invoice.paid", T1, schemas("{'1': {'type': 'object'}}"));
        PayloadSchemaValidator second = cache.validatorFor("invoice.paid", T1, schemas("{'1': {'type': 'object'}}"));
        assertThat(second).isSameAs(first);
        assertThat(compilations).hasValue(1);
    }

    @Test
    void an_updated_event_type_is_compiled_again_and_replaces_the_old_entry() {
        PayloadSchemaValidator old = cache.validatorFor("invoice.paid", T1, schemas("{'1': {'type': 'object'}}"));
        PayloadSchemaValidator updated = cache.validatorFor("invoice.paid", T2, schemas("{'1': {'type': 'string'}}"));
        assertThat(updated).isNotSameAs(old);
        assertThat(updated.violations(json("'text'"))).isEmpty();
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.validatorFor("invoice.paid", T2, schemas("{}"))).isSameAs(updated);
    }

    @Test
    void a_late_compile_of_an_older_version_does_not_replace_a_newer_one() {
        PayloadSchemaValidator newer = cache.validatorFor("invoice.paid", T2, schemas("{'1': {'type': 'string'}}"));
        cache.validatorFor("invoice.paid", T1, schemas("{'1': {'type': 'object'}}"));
        assertThat(cache.validatorFor("invoice.paid", T2, schemas("{}"))).isSameAs(newer);
    }

    @Test
    void the_least_recently_used_event_type_goes_past_capacity() {
        PayloadSchemaValidator a = cache.validatorFor("a", T1, schemas("{}"));
        cache.validatorFor("b", T1, schemas("{}"));
        assertThat(cache.validatorFor("a", T1, schemas("{}"))).isSameAs(a); // a is now the most recent
        cache.validatorFor("c", T1, schemas("{}"));
        assertThat(cache.size()).isEqualTo(2);
        compilations.set(0);
        cache.validatorFor("a", T1, schemas("{}"));
        assertThat(compilations).hasValue(0);
        cache.validatorFor("b", T1, schemas("{}"));
        assertThat(compilations).hasValue(1);
    }

    @Test
    void invalid_schemas_are_not_cached() {
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> cache.validatorFor("bad", T1, schemas("{'1': {'type': 'strin'}}")))
                    .isInstanceOf(InvalidSchemaException.class);
        }
        assertThat(compilations).hasValue(2);
        assertThat(cache.size()).isZero();
    }

    @Test
    void a_stored_event_type_is_validated_from_its_schemas_json() {
        PayloadSchemaValidator validator = cache.validatorFor(eventType("{\"1\": {\"type\": \"object\", \"required\": [\"id\"]}}"));
        assertThat(validator.violations(json("{}"))).containsExactly("$: required property 'id' not found");
    }

    @Test
    void a_stored_event_type_without_schemas_accepts_anything() {
        for (String none : new String[] {null, "", "null", "{}"}) {
            PayloadSchemaValidator validator = new PayloadSchemaCache().validatorFor(eventType(none));
            assertThat(validator.violations(json("[1, 2]"))).isEmpty();
        }
    }

    @Test
    void rejects_a_capacity_below_one() {
        assertThatThrownBy(() -> new PayloadSchemaCache(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static EventType eventType(String schemasJson) {
        return new EventType("invoice.paid", "Paid", schemasJson, false, false, null, Set.of(), null, T1, T1, false);
    }
}
