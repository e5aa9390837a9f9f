package dev.herald.store;

import java.lang.reflect.Type;
import java.sql.Types;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
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
 * A preparable factory: JDBI asks those before the others, and its own array factory is one (registered as a plain
 * factory, this one was never asked).
 */
final class BinaryArrays implements ArgumentFactory.Preparable {
    private static final Set<Class<?>> BOUND = Set.of(String[].class, Long[].class, Integer[].class, Short[].class, Boolean[].class);

    @Override
    public Optional<Function<Object, Argument>> prepare(Type type, ConfigRegistry config) {
        if (!BOUND.contains(GenericTypes.getErasedType(type))) return Optional.empty();
        return Optional.of(BinaryArrays::argument);
    }

    @Override
    public java.util.Collection<? extends Type> prePreparedTypes() {
        return BOUND;
    }

    private static Argument argument(Object value) {
        return value == null ? new NullArgument(Types.ARRAY) : new BinaryArray((Object[]) value);
    }

    /** The array handed to the driver as it is; described without its elements (payloads, receivers' answers). */
    record BinaryArray(Object[] elements) implements Argument {
        @Override
        public void apply(int position, java.sql.PreparedStatement statement, org.jdbi.v3.core.statement.StatementContext context)
                throws java.sql.SQLException {
            statement.setObject(position, elements);
        }

        @Override
        public String toString() {
            return "binary array of " + elements.length;
        }
    }
}
