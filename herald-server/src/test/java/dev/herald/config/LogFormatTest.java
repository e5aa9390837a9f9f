package dev.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Herald's logback.xml, as the jar runs it: {@code HERALD_LOG_FORMAT=json} writes a JSON object a line for log shippers,
 * the default a dated line (it once gave the time of day only). A value logback cannot use is refused at start: an
 * unknown format named no appender, so every line would have been lost without a word.
 */
class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What Herald's logback.xml writes to stderr for one warning, configured with {@code properties}. */
    private static String logged(Map<String, String> properties) throws Exception {
        var context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter()); // as SLF4J gives the context it binds
        properties.forEach(context::putProperty);
        var configurator = new JoranConfigurator();
        configurator.setContext(context);
        PrintStream stderr = System.err;
        var captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            configurator.doConfigure(HeraldConfig.class.getResource("/logback.xml"));
            context.getLogger("dev.herald.delivery.Dispatcher").warn("endpoint {} failing", "ep_1");
            context.getLogger("dev.herald.delivery.Dispatcher").debug("not at INFO");
        } finally {
            System.setErr(stderr);
            context.stop();
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void json_writes_one_object_a_line_with_level_logger_and_message() throws Exception {
        String out = logged(Map.of("HERALD_LOG_FORMAT", "json"));
        var lines = out.lines().toList();
        assertThat(lines).as(out).hasSize(1);
        var line = JSON.readTree(lines.get(0));
        assertThat(line.path("level").asText()).isEqualTo("WARN");
        assertThat(line.path("loggerName").asText()).isEqualTo("dev.herald.delivery.Dispatcher");
        assertThat(line.path("formattedMessage").asText()).as("the message written out, not its pattern").isEqualTo("endpoint ep_1 failing");
        assertThat(line.path("timestamp").asLong()).isPositive();
    }

    @Test
    void text_by_default_is_a_line_that_names_the_date_in_utc() throws Exception {
        String out = logged(Map.of());
        assertThat(out.lines().toList()).as(out).singleElement().asString()
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z WARN  \\[.+] d\\.h\\.d\\.Dispatcher - endpoint ep_1 failing");
        assertThat(logged(Map.of("HERALD_LOG_LEVEL", "debug")).lines()).as("the level is read as logback reads it").hasSize(2);
    }

    @Test
    void a_format_or_level_logback_cannot_use_is_refused_naming_the_setting() {
        for (String bad : List.of("xml", "JSON", "", " json")) {
            assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_LOG_FORMAT", bad)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("HERALD_LOG_FORMAT: must be text or json, got '" + bad + "'");
        }
        for (String bad : List.of("verbose", "", "info ")) {
            assertThatThrownBy(() -> HeraldConfig.fromEnvironment(Map.of("HERALD_LOG_LEVEL", bad)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("HERALD_LOG_LEVEL: must be TRACE, DEBUG, INFO, WARN, ERROR or OFF");
        }
        HeraldConfig.fromEnvironment(Map.of("HERALD_LOG_FORMAT", "json", "HERALD_LOG_LEVEL", "debug"));
        HeraldConfig.fromEnvironment(Map.of("HERALD_LOG_FORMAT", "text", "HERALD_LOG_LEVEL", "WARN"));
    }
}
