package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import java.util.Arrays;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementCustomizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The arrays the stores bind go to PostgreSQL in the binary format ({@link BinaryArrays}): every element arrives as it
 * was, whatever it holds (quotes, backslashes, braces, commas, the word NULL, an empty string, nulls, any script), in
 * both of the node's pools.
 */
@ExtendWith(TestDatabase.class)
class BinaryArraysTest {
    private static final String[] TEXTS = {"plain", "a\"quote", "back\\slash", "{braces,comma}", "NULL", null, "", " space ",
            "übergrößen € 😀", "{\"payload\":{\"a\":[1,2]}}"};

    @Test
    void texts_arrive_element_for_element_in_both_pools() {
        for (Jdbi jdbi : List.of(TestDatabase.jdbi(), TestDatabase.hotPathJdbi())) {
            var bound = new java.util.concurrent.atomic.AtomicReference<Object>();
            List<String> back = jdbi.withHandle(h -> h.createQuery("select t.v from unnest(cast(:texts as text[])) with ordinality as t(v, i) order by t.i")
                    .bindByType("texts", TEXTS, String[].class)
                    .addCustomizer(new StatementCustomizer() {
                        @Override
                        public void beforeExecution(java.sql.PreparedStatement statement, StatementContext context) {
                            bound.set(context.getBinding().findForName("texts", context).orElse(null));
                        }
                    })
                    .map((rs, ctx) -> rs.getString(1)).list());
            assertThat(back).containsExactly(TEXTS);
            // JDBI's own array binding would round-trip these too: the argument bound must be BinaryArrays'
            assertThat(bound.get()).isNotNull();
            assertThat(String.valueOf(bound.get())).isEqualTo("binary array of " + TEXTS.length);
        }
    }

    @Test
    void numbers_and_flags_arrive_with_their_nulls() {
        var jdbi = TestDatabase.hotPathJdbi();
        Long[] longs = {Long.MIN_VALUE, null, 0L, Long.MAX_VALUE};
        Integer[] ints = {Integer.MIN_VALUE, null, 7};
        Short[] shorts = {(short) -1, null, Short.MAX_VALUE};
        Boolean[] flags = {true, null, false};
        String row = jdbi.withHandle(h -> h.createQuery("""
                        select cast(:longs as bigint[])::text || ' ' || cast(:ints as int[])::text || ' '
                               || cast(:shorts as smallint[])::text || ' ' || cast(:flags as boolean[])::text
                               || ' ' || coalesce(cast(:none as text[])::text, 'none')
                        """)
                .bindByType("longs", longs, Long[].class)
                .bindByType("ints", ints, Integer[].class)
                .bindByType("shorts", shorts, Short[].class)
                .bindByType("flags", flags, Boolean[].class)
                .bindByType("none", null, String[].class)
                .mapTo(String.class).one());
        assertThat(row).isEqualTo("{-9223372036854775808,NULL,0,9223372036854775807} {-2147483648,NULL,7} {-1,NULL,32767} {t,NULL,f} none");
    }

    @Test
    void an_array_is_bound_by_the_driver_as_the_array_itself_not_as_a_literal_made_here() {
        // JDBI's own binding builds a java.sql.Array from createArrayOf, which the driver sends as text
        var argument = new BinaryArrays().prepare(String[].class, TestDatabase.jdbi().getConfig()).map(f -> f.apply(new String[] {"x"}));
        assertThat(argument).isPresent();
        var seen = new Object[1];
        var statement = (java.sql.PreparedStatement) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {java.sql.PreparedStatement.class}, (proxy, method, args) -> {
                    if (method.getName().equals("setObject") && args.length == 2) seen[0] = args[1];
                    if (method.getName().equals("setArray")) throw new AssertionError("bound through a java.sql.Array");
                    return null;
                });
        try {
            argument.get().apply(1, statement, (StatementContext) null);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        assertThat(seen[0]).isInstanceOf(String[].class);
        assertThat(Arrays.asList((String[]) seen[0])).containsExactly("x");
        assertThat(new BinaryArrays().prepare(String.class, TestDatabase.jdbi().getConfig())).isEmpty();
        assertThat(new BinaryArrays().prepare(Object[].class, TestDatabase.jdbi().getConfig())).isEmpty();
    }
}
