package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.store.Database.JdbcUrl;
import org.junit.jupiter.api.Test;

/** HERALD_DATABASE_URL read as libpq reads a connection URI, and refused in words that never repeat the password. */
class JdbcUrlTest {

    @Test
    void user_and_password_are_percent_decoded_and_a_plus_stays_a_plus() {
        var url = JdbcUrl.parse("postgres://herald%2Bops:a+b%40c%3Ad%2F%23@db.internal:6432/herald?sslmode=require");
        assertThat(url.url()).isEqualTo("jdbc:postgresql://db.internal:6432/herald?sslmode=require");
        assertThat(url.user()).isEqualTo("herald+ops");
        assertThat(url.password()).isEqualTo("a+b@c:d/#");
    }

    /** A log line that names the parsed URL must not carry its password (a record's own toString printed it). */
    @Test
    void its_text_shows_no_password() {
        assertThat(JdbcUrl.parse("postgres://herald:hunter2@db:5432/herald").toString()).contains("herald").doesNotContain("hunter2");
        assertThat(JdbcUrl.parse("jdbc:postgresql://db:5432/herald?user=herald&password=hunter2").toString()).doesNotContain("hunter2");
    }

    @Test
    void the_postgresql_scheme_an_ipv6_host_and_a_missing_password_are_taken() {
        var url = JdbcUrl.parse("postgresql://herald@[::1]/herald");
        assertThat(url.url()).isEqualTo("jdbc:postgresql://[::1]/herald");
        assertThat(url.user()).isEqualTo("herald");
        assertThat(url.password()).isNull();
    }

    /** Docker Compose names services with underscores; java.net.URI reads such a name as no host, libpq as one. */
    @Test
    void a_service_name_with_an_underscore_is_a_host() {
        var url = JdbcUrl.parse("postgres://herald:p%40ss@herald_db:5432/herald?sslmode=disable");
        assertThat(url.url()).isEqualTo("jdbc:postgresql://herald_db:5432/herald?sslmode=disable");
        assertThat(url.user()).isEqualTo("herald");
        assertThat(url.password()).isEqualTo("p@ss");
        assertThat(JdbcUrl.parse("postgres://herald_db/herald").url()).isEqualTo("jdbc:postgresql://herald_db/herald");
        assertThat(JdbcUrl.parse("postgres://u:p@db_1:5432,db_2:5433/h").url()).isEqualTo("jdbc:postgresql://db_1:5432,db_2:5433/h");
        assertThatThrownBy(() -> JdbcUrl.parse("postgres://u:p@bad!name/h")).hasMessageStartingWith("names no host");
    }

    @Test
    void a_list_of_hosts_and_libpq_settings_are_read_as_libpq_reads_them() {
        var url = JdbcUrl.parse("postgres://herald:p%40ss@db1:5432,db2,[::1]:6432/herald"
                + "?target_session_attrs=read-write&connect_timeout=3&sslmode=require");
        assertThat(url.url()).isEqualTo("jdbc:postgresql://db1:5432,db2,[::1]:6432/herald?targetServerType=primary&connectTimeout=3&sslmode=require");
        assertThat(url.user()).isEqualTo("herald");
        assertThat(url.password()).isEqualTo("p@ss");
        assertThat(JdbcUrl.parse("postgres://h@db/x?target_session_attrs=prefer-standby").url())
                .isEqualTo("jdbc:postgresql://db/x?targetServerType=preferSecondary");
    }

    @Test
    void an_unknown_target_session_attrs_or_an_empty_host_in_the_list_is_refused_without_repeating_the_password() {
        assertThatThrownBy(() -> JdbcUrl.parse("postgres://herald:s3cret@db1,db2/herald?target_session_attrs=writable"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("target_session_attrs: 'writable' is none of [any, prefer-standby, primary, read-only, read-write, standby]")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> JdbcUrl.parse("postgres://herald:s3cret@db1,,db2/herald"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("names no host")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void a_url_naming_no_database_takes_the_users_name_as_libpq_does() {
        // an empty database name: PostgreSQL takes the user's (the driver would decode a name written here, a '+' a space)
        assertThat(JdbcUrl.parse("postgres://herald:pw@db:5432").url()).isEqualTo("jdbc:postgresql://db:5432/");
        assertThat(JdbcUrl.parse("postgres://herald@db?sslmode=require").url()).isEqualTo("jdbc:postgresql://db/?sslmode=require");
        assertThat(JdbcUrl.parse("postgres://h%2Bops:pw@db1,db2:6432").url()).isEqualTo("jdbc:postgresql://db1,db2:6432/");
        assertThat(JdbcUrl.parse("postgres://herald:pw@db:5432/").url()).isEqualTo("jdbc:postgresql://db:5432/");
        // the driver answers "No suitable driver" for one without a '/': refused here, in one line
        assertThatThrownBy(() -> JdbcUrl.parse("jdbc:postgresql://db:5432?sslrootcert=/etc/ca.pem&password=s3cret"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("names no database")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void a_jdbc_url_is_passed_as_it_is() {
        var jdbc = "jdbc:postgresql://localhost:5432/herald?user=h&password=a+b";
        assertThat(JdbcUrl.parse(jdbc)).isEqualTo(new JdbcUrl(jdbc, null, null));
    }

    @Test
    void a_raw_at_sign_in_the_password_is_refused_with_the_escape_to_use() {
        assertThatThrownBy(() -> JdbcUrl.parse("postgres://herald:s3cr@t@db:5432/herald"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("names no host")
                .hasMessageContaining("%40")
                .hasMessageNotContaining("s3cr");
    }

    @Test
    void a_raw_hash_in_the_password_is_refused_with_the_escape_to_use() {
        assertThatThrownBy(() -> JdbcUrl.parse("postgres://herald:s3cr#t@db:5432/herald"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("%23")
                .hasMessageNotContaining("s3cr");
    }

    @Test
    void a_space_in_the_password_is_refused_without_repeating_the_url() {
        assertThatThrownBy(() -> JdbcUrl.parse("postgres://herald:s3cr t@db:5432/herald"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a valid URL: Illegal character in authority at character 23")
                .hasMessageNotContaining("s3cr");
    }

    @Test
    void a_percent_without_hex_digits_is_refused_without_repeating_the_password() {
        assertThatThrownBy(() -> JdbcUrl.parse("postgres://herald:s3cr%zz@db:5432/herald"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a valid URL: Malformed escape pair at character 23")
                .hasMessageContaining("%25")
                .hasMessageNotContaining("s3cr");
    }

    @Test
    void a_url_without_a_host_is_refused_since_unix_sockets_are_not_supported() {
        assertThatThrownBy(() -> JdbcUrl.parse("postgres:///herald"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("names no host")
                .hasMessageContaining("Unix-domain sockets are not supported");
    }

    @Test
    void other_databases_urls_are_refused() {
        for (var other : new String[] {"mysql://u:p@db/herald", "jdbc:mysql://db/herald", "db:5432/herald"}) {
            assertThatThrownBy(() -> JdbcUrl.parse(other))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("not a PostgreSQL URL (expected postgres://user:password@host:5432/database");
        }
    }
}
