package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * V29: rates and versions stored before the API kept them to Svix's u16 range keep their meaning in it. A rate of 0
 * was read as no limit, so it becomes none; one above 65,535 becomes 65,535; a version above it becomes 65,535.
 */
class RatesMigrationTest {
    private static final String DATABASE = "herald_v29_migration";

    @Test
    void out_of_range_rates_and_versions_are_brought_into_range_and_others_left_as_they_were() {
        try (var own = TestDatabase.OwnDatabase.create(DATABASE)) {
            String url = own.url();
            Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target("28").load().migrate();
            Jdbi jdbi = Jdbi.create(url);
            jdbi.useHandle(h -> {
                h.execute("""
                        insert into application (id, name, rate_limit, throttle_rate, created_at, updated_at) values
                        ('app_zero', 'z', 0, 0, now(), now()), ('app_big', 'b', 70000, 2147483647, now(), now()),
                        ('app_ok', 'o', 65535, 1, now(), now()), ('app_none', 'n', null, null, now(), now())
                        """);
                h.execute("""
                        insert into endpoint (id, app_id, url, rate_limit, throttle_rate, version, created_at, updated_at) values
                        ('ep_zero', 'app_ok', 'http://127.0.0.1/', 0, 0, 1, now(), now()),
                        ('ep_big', 'app_ok', 'http://127.0.0.1/', 65536, 99999, 70000, now(), now()),
                        ('ep_ok', 'app_ok', 'http://127.0.0.1/', 7, 65535, 65535, now(), now())
                        """);
            });

            Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").load().migrate();

            var apps = jdbi.withHandle(h -> h.createQuery("select id, rate_limit, throttle_rate from application")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), Arrays.asList((Long) rs.getObject(2), (Long) rs.getObject(3))))
                    .list());
            assertThat(apps).containsExactlyInAnyOrder(
                    Map.entry("app_zero", Arrays.asList(null, null)), Map.entry("app_big", List.of(65535L, 65535L)),
                    Map.entry("app_ok", List.of(65535L, 1L)), Map.entry("app_none", Arrays.asList(null, null)));
            var endpoints = jdbi.withHandle(h -> h.createQuery("select id, rate_limit, throttle_rate, version from endpoint")
                    .map((rs, ctx) -> Map.entry(rs.getString(1),
                            Arrays.asList((Long) rs.getObject(2), (Long) rs.getObject(3), ((Integer) rs.getObject(4)).longValue())))
                    .list());
            assertThat(endpoints).containsExactlyInAnyOrder(
                    Map.entry("ep_zero", Arrays.asList(null, null, 1L)), Map.entry("ep_big", List.of(65535L, 65535L, 65535L)),
                    Map.entry("ep_ok", List.of(7L, 65535L, 65535L)));
        }
    }
}
