package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class SqlErrorsTest {
    @Test
    void states_that_may_pass_if_tried_again_mean_unavailable_and_a_refused_value_does_not() {
        for (String state : new String[] {"08006", "08001", "57P01", "53100", "53200", "53300", "25006", "57014", "55P03", "40001", "40P01"}) {
            var wrapped = new IllegalStateException("jdbi", new SQLException("refused", state));
            assertThat(SqlErrors.isUnavailable(wrapped)).as(state).isTrue();
        }
        for (String state : new String[] {"23505", "23503", "22001", "22P02", "42P01", "25001"}) {
            assertThat(SqlErrors.isUnavailable(new SQLException("refused", state))).as(state).isFalse();
        }
    }
}
