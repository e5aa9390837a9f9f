package dev.herald.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The alerting rules offered beside Herald (examples/prometheus/herald-alerts.yml) name only metrics a node serves: a
 * renamed meter would otherwise leave an alert that never fires, with nothing to say so.
 */
@ExtendWith(TestDatabase.class)
class AlertRulesTest {
    static final Path RULES = Path.of("..", "examples", "prometheus", "herald-alerts.yml");
    private static final Pattern HERALD_METRIC = Pattern.compile("\\bherald_[a-z_]+");

    @Test
    void every_metric_an_alert_reads_is_one_a_node_serves() throws Exception {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(RULES)).path("groups").path(0).path("rules");
        assertThat(rules.size()).isGreaterThanOrEqualTo(5);
        Set<String> named = new TreeSet<>();
        for (JsonNode rule : rules) {
            assertThat(rule.path("alert").asText()).as("a rule's name").startsWith("Herald");
            assertThat(rule.path("labels").path("severity").asText()).as(rule.path("alert").asText()).isNotEmpty();
            assertThat(rule.path("annotations").path("summary").asText()).as(rule.path("alert").asText()).isNotEmpty();
            String expr = rule.path("expr").asText();
            assertThat(expr).as(rule.path("alert").asText()).isNotEmpty();
            HERALD_METRIC.matcher(expr).results().map(m -> m.group()).forEach(named::add);
        }
        assertThat(named).contains("herald_database_reachable", "herald_queue_lag_seconds", "herald_clock_offset_seconds");

        try (var herald = TestHerald.start()) {
            String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(herald.baseUrl() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Set<String> served = scrape.lines().filter(l -> l.startsWith("herald_"))
                    .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
            assertThat(served).as("metrics a node serves").containsAll(named);
        }
    }
}
