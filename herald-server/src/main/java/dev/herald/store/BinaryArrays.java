package dev.herald.store;

import java.lang.reflect.Type;
import java.sql.Types;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.argument.ArgumentFactory;
import org.jdbi.v3.core.argument.NullArgument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.generic.GenericTypes;

/**
 * Binds {@code String[]}, {@code Long[]}, {@code Integer[]}, {@code Short[]} and {@code Boolean[]} as PostgreSQL arrays in
 * the binary format. JDBI's own array binding goes through {@code Connection.createArrayOf}, which the driver sends as an
 * array literal: every element quoted and escaped here, and parsed back by the server. The batches of the hot path
 * (publishing, results) bind a dozen such arrays a statement, payloads and receivers' answers among them. Given the array
 * itself, the driver writes each element's bytes with its length (the same SQL types: {@code varchar[]}, {@code int8[]}…).
 */
final class BinaryArrays implements ArgumentFactory {
    private static final Set<Class<?>> BOUND = Set.of(String[].class, Long[].class, Integer[].class, Short[].class, Boolean[].class);

    @Override
    public Optional<Argument> build(Type type, Object value, ConfigRegistry config) {
        if (!BOUND.contains(GenericTypes.getErasedType(type))) return Optional.empty();
        if (value == null) return Optional.of(new NullArgument(Types.ARRAY));
        return Optional.of((position, statement, context) -> statement.setObject(position, value));
    }
}
