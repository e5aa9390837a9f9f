package dev.herald.client.listen;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.herald.client.HeraldJson;
import java.io.PrintStream;
import java.time.Instant;

/** Writes what the listener saw: one header line per request, then the payload pretty-printed. */
final class EventPrinter {
    // "key": value, and arrays one element per line: how people write JSON by hand
    private static final ObjectWriter PRETTY = HeraldJson.mapper().writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE));

    private final PrintStream out;

    EventPrinter(PrintStream out) {
        this.out = out;
    }

    void verified(String eventType, String id, Instant timestamp, String body, int status) {
        print("<-- " + eventType + "  " + id + "  (sent " + timestamp + ")  answered " + status, pretty(body));
    }

    void rejected(String reason, String body, int status) {
        print("<-- REJECTED: " + reason + "  answered " + status, pretty(body));
    }

    void info(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private void print(String header, String body) {
        // requests arrive on several threads: keep each one's lines together
        synchronized (out) {
            out.println(header);
            out.println(body);
            out.flush();
        }
    }

    static String pretty(String body) {
        try {
            JsonNode json = HeraldJson.mapper().readTree(body);
            return json == null ? body : PRETTY.writeValueAsString(json);
        } catch (Exception notJson) {
            return body;
        }
    }
}
