package dev.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeraldConfigTest {
    @Test
    void defaults_match_the_documented_table() {
        var config = HeraldConfig.fromEnvironment(Map.of());
        assertThat(config.httpAddress().getHostString()).isEqualTo("127.0.0.1");
        assertThat(config.httpAddress().getPort()).isEqualTo(8071);
        assertThat(config.embedded()).isTrue();
        assertThat(config.dataDir().toString()).isEqualTo("./data");
        assertThat(config.maxEndpointsPerApp()).isEqualTo(50);
        assertThat(config.maxPayloadBytes()).isEqualTo(1024 * 1024);
        assertThat(config.retrySchedule()).containsExactly(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));
        assertThat(config.signatureHeaders()).isEqualTo(HeraldConfig.SignatureHeaders.WEBHOOK);
        assertThat(config.defaultSignatureType()).isEqualTo(HeraldConfig.SignatureType.HMAC256);
        assertThat(config.disableAfter()).isEqualTo(Duration.ofDays(5));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.whitelistSubnets()).isEmpty();
        assertThat(config.circuitBreakerFailures()).isEqualTo(10);
        assertThat(config.databaseTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void reads_every_override() {
        var config = HeraldConfig.fromEnvironment(Map.of(
                "HERALD_HTTP_ADDR", "0.0.0.0:9000",
                "HERALD_DATABASE_URL", "postgres://u:p@db:5432/herald",
                "HERALD_RETRY_SCHEDULE", "0,1,2",
                "HERALD_SIGNATURE_HEADERS", "both",
                "HERALD_DEFAULT_SIGNATURE_TYPE", "Ed25519",
                "HERALD_WHITELIST_SUBNETS", "127.0.0.0/8, 10.0.0.0/8",
                "HERALD_DISABLE_AFTER", "2h",
                "HERALD_DATABASE_TIMEOUT", "2m",
                "HERALD_ENCRYPTION_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="));
        assertThat(config.httpAddress().getPort()).isEqualTo(9000);
        assertThat(config.embedded()).isFalse();
        assertThat(config.retrySchedule()).hasSize(3);
        assertThat(config.signatureHeaders()).isEqualTo(HeraldConfig.SignatureHeaders.BOTH);
        assertThat(config.defaultSignatureType()).isEqualTo(HeraldConfig.SignatureType.ED25519);
        assertThat(config.whitelistSubnets()).containsExactly("127.0.0.0/8", "10.0.0.0/8");
        assertThat(config.disableAfter()).isEqualTo(Duration.ofHours(2));
        assertThat(config.databaseTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.encryptionKey()).isPresent();
    }

    @Test
    void a_bad_value_fails_with_one_line_naming_the_variable() {
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_MAX_ENDPOINTS_PER_APP", "many")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_MAX_ENDPOINTS_PER_APP:");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_HTTP_ADDR", "nowhere")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_HTTP_ADDR:");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_ENCRYPTION_KEY", "c2hvcnQ=")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_ENCRYPTION_KEY:");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_RETRY_SCHEDULE", "0,5,soon")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_RETRY_SCHEDULE:");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_SIGNATURE_HEADERS", "stripe")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_SIGNATURE_HEADERS:");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_DEFAULT_SIGNATURE_TYPE", "rsa")))
                .isInstanceOf(ConfigException.class).hasMessage("HERALD_DEFAULT_SIGNATURE_TYPE: must be hmac256 or ed25519, got 'rsa'");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_DISABLE_AFTER", "forever")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_DISABLE_AFTER:");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_DELIVERY_LEASE", "5s")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_DELIVERY_LEASE:");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_CIRCUIT_BREAKER_FAILURES", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_CIRCUIT_BREAKER_FAILURES:");
        for (String bad : new String[] {"0s", "1500ms", "soon"}) {
            assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_DATABASE_TIMEOUT", bad)))
                    .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_DATABASE_TIMEOUT:");
        }
        assertThat(HeraldConfig.fromEnvironment(Map.of("HERALD_CIRCUIT_BREAKER_FAILURES", "0")).circuitBreakerFailures())
                .as("0 turns the breaker off").isZero();
        assertThat(new ConfigException("X: y").getMessage()).doesNotContain("\n");
    }

    @Test
    void the_cli_prints_one_line_and_exits_2_on_a_bad_value() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        var builder = dev.herald.testing.HeraldProcess.withoutInheritedSettings(
                new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.herald.app.Main", "serve"));
        builder.environment().put("HERALD_MAX_ENDPOINTS_PER_APP", "-3");
        builder.redirectErrorStream(true);
        var bad = builder.start();
        String output = new String(bad.getInputStream().readAllBytes()).trim();
        assertThat(bad.waitFor()).isEqualTo(2);
        assertThat(output).isEqualTo("herald: HERALD_MAX_ENDPOINTS_PER_APP: must be a positive integer, got '-3'");
    }

    @Test
    void a_setting_whose_absence_means_another_mode_is_refused_when_set_empty() {
        // unset, HERALD_DATABASE_URL runs an embedded database: a blank one from a template must not start that
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_DATABASE_URL", "")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_DATABASE_URL: is set but empty");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_ENCRYPTION_KEY", "  ")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_ENCRYPTION_KEY: is set but empty");
        assertThat(HeraldConfig.fromEnvironment(Map.of("HERALD_PROXY_URL", "")).proxyUrl()).isEmpty();
    }

    @Test
    void retention_and_durations_are_held_to_what_the_database_can_store() {
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_PAYLOAD_RETENTION_DAYS", "1000000000")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_PAYLOAD_RETENTION_DAYS:");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_RETENTION_DAYS", "3651")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_RETENTION_DAYS:");
        assertThat(HeraldConfig.fromEnvironment(Map.of("HERALD_RETENTION_DAYS", "3650")).retentionDays()).isEqualTo(3650);
        for (String negative : java.util.List.of("-30", "-500ms", "-5m")) {
            assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_JANITOR_INTERVAL", negative)))
                    .as(negative).isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_JANITOR_INTERVAL:");
        }
    }

    /**
     * Zero where it makes Herald spin or fail at start, and values whose dates leave PostgreSQL's range (every result of
     * an exhausted delivery failed, and the delivery was sent again for ever), are refused with one line.
     */
    @Test
    void durations_out_of_their_range_are_refused_naming_the_range() {
        Map<String, String> refused = Map.of(
                "HERALD_POLL_INTERVAL", "0s",
                "HERALD_JANITOR_INTERVAL", "0",
                "HERALD_DISABLE_AFTER", "9999999d",
                "HERALD_REQUEST_TIMEOUT", "500ms",
                "HERALD_SHUTDOWN_TIMEOUT", "2h",
                "HERALD_DATABASE_TIMEOUT", "100000000000s");
        refused.forEach((name, value) -> assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of(name, value)))
                .as(name).isInstanceOf(ConfigException.class).hasMessageStartingWith(name + ": must be a duration from ")
                .hasMessageEndingWith(", got '" + value + "'"));
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_POLL_INTERVAL", "5ms")))
                .hasMessage("HERALD_POLL_INTERVAL: must be a duration from 10ms to 1h, got '5ms'");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_RETRY_SCHEDULE", "0,5,9300000000000")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_RETRY_SCHEDULE:");
        var edges = HeraldConfig.fromEnvironment(Map.of("HERALD_POLL_INTERVAL", "10ms", "HERALD_DISABLE_AFTER", "0s",
                "HERALD_RETRY_SCHEDULE", "0,31536000", "HERALD_SHUTDOWN_TIMEOUT", "0"));
        assertThat(edges.pollInterval()).isEqualTo(java.time.Duration.ofMillis(10));
        assertThat(edges.disableAfter()).isZero();
        assertThat(edges.retrySchedule()).last().isEqualTo(java.time.Duration.ofDays(365));
    }

    @Test
    void herald_variables_no_setting_reads_are_named() {
        var reader = new EnvReader(Map.of("HERALD_DATABSE_URL", "postgres://u:p@db/h", "HERALD_LOG_LEVEL", "INFO",
                "HERALD_JAVA_OPTS", "-Xmx1g", "HERALD_RETENTION_DAYS", "30", "PATH", "/bin",
                // read by `herald poll`, which may well run in the same shell
                "HERALD_POLL_KEY", "pollsk_x",
                // read by `herald listen`, but also what HERALD_ADMIN_TOKEN misspelt looks like: named apart, at start
                "HERALD_TOKEN", "sk_x"));
        HeraldConfig.read(reader);
        assertThat(reader.unknownNames()).containsExactly("HERALD_DATABSE_URL", "HERALD_TOKEN");
    }

    @Test
    void portal_frame_ancestors_are_origins_written_back_bare() {
        assertThat(HeraldConfig.fromEnvironment(Map.of()).portalFrameAncestors()).isEmpty();
        var config = HeraldConfig.fromEnvironment(Map.of("HERALD_PORTAL_FRAME_ANCESTORS",
                "https://App.Example.com/, https://dash.example.com:8443, http://localhost:3000"));
        assertThat(config.portalFrameAncestors())
                .containsExactly("https://app.example.com", "https://dash.example.com:8443", "http://localhost:3000");
        for (String bad : new String[] {"app.example.com", "http://app.example.com", "https://app.example.com/portal",
                "https://*.example.com", "'self'", "https://a.example.com; script-src *", "javascript:alert(1)"}) {
            assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_PORTAL_FRAME_ANCESTORS", bad)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("HERALD_PORTAL_FRAME_ANCESTORS: '")
                    .hasMessageEndingWith("' is not an origin like https://app.example.com");
        }
    }

    @Test
    void a_public_url_is_a_base_url_written_back_without_its_last_slash() {
        assertThat(HeraldConfig.fromEnvironment(Map.of()).publicUrl()).isEmpty();
        assertThat(HeraldConfig.fromEnvironment(Map.of("HERALD_PUBLIC_URL", "https://hooks.example.com/herald/")).publicUrl())
                .contains("https://hooks.example.com/herald");
        for (String bad : new String[] {"hooks.example.com", "ftp://hooks.example.com", "https://hooks.example.com/?a=1",
                "https://user:pw@hooks.example.com", "https://hooks.example.com/#x", "https:///nohost"}) {
            assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_PUBLIC_URL", bad)))
                    .as(bad).isInstanceOf(ConfigException.class).hasMessageStartingWith("HERALD_PUBLIC_URL: '");
        }
    }

    /** A refusal goes to stderr and the log: it must not quote the password it refuses. */
    @Test
    void a_url_refused_for_its_credentials_is_not_quoted_with_them() {
        assertThatThrownBy(() -> HeraldConfig.publicUrl("https://u:hunter2@hooks.example.com"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").contains("hooks.example.com")
                        .contains("no user name or password"));
        assertThatThrownBy(() -> HeraldConfig.origin("https://u:hunter2@app.example.com"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    /** Its text names no secret setting: a log line that named the config would have printed the admin token and keys. */
    @Test
    void its_text_shows_no_secret() {
        var config = HeraldConfig.fromEnvironment(Map.of("HERALD_ADMIN_TOKEN", "sk_admin_hunter2_0123456789abcdef",
                "HERALD_DATABASE_URL", "postgres://herald:hunter3@db:5432/herald", "HERALD_METRICS_TOKEN", "hunter4-metrics-token"));
        assertThat(config.toString()).contains("127.0.0.1:8071").doesNotContain("hunter");
    }
}
