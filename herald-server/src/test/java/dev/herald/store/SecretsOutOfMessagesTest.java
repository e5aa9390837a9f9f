package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.testing.TestDatabase;
import java.time.Duration;
import org.jdbi.v3.core.statement.StatementException;
import org.junit.jupiter.api.Test;

/** Messages that end up in logs and on stderr name what failed, never the values a secret or a customer's data are. */
class SecretsOutOfMessagesTest {

    /** JDBI's messages named every bound value: a failed endpoint insert logged its receiver's Authorization header. */
    @Test
    void a_failed_statement_names_the_statement_not_its_values() {
        assertThatThrownBy(() -> TestDatabase.jdbi().useHandle(h -> h.createQuery("select 1 / 0 where :headers is not null")
                .bind("headers", "{\"Authorization\":\"Bearer topsecret\"}").mapTo(Integer.class).one()))
                .isInstanceOf(StatementException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).contains("division by zero").contains("select 1 / 0").doesNotContain("topsecret");
                    assertThat(e.toString()).doesNotContain("topsecret");
                });
        assertThatThrownBy(() -> TestDatabase.hotPathJdbi().useHandle(h -> h.createQuery("select 1 / 0 where :body is not null")
                .bind("body", "customer data").mapTo(Integer.class).one()))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("customer data"));
    }

    /** The driver answers a URL it cannot parse by quoting it whole. */
    @Test
    void a_jdbc_url_the_driver_cannot_read_is_not_repeated_with_its_password() {
        assertThatThrownBy(() -> Database.connect("jdbc:postgresql://db:54x2/herald?user=h&password=hunter2", 1, 1, Duration.ofSeconds(2)))
                .satisfies(e -> {
                    for (Throwable t = e; t != null; t = t.getCause()) assertThat(String.valueOf(t.getMessage())).doesNotContain("hunter2");
                    assertThat(e.getMessage()).startsWith("cannot connect to the database");
                });
    }
}
