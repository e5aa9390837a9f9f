package dev.herald.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.app.Herald;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;

/** Scenario setup through Herald's own API: applications and endpoints. */
final class AdminApi implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http = new HttpClient();

    AdminApi() throws Exception {
        http.start();
    }

    String createApp(Herald node, String name) throws Exception {
        return post(node, "/api/v1/app", "{\"name\":\"" + name + "\"}");
    }

    String createEndpoint(Herald node, String app, String url) throws Exception {
        return post(node, "/api/v1/app/" + app + "/endpoint", "{\"url\":\"" + url + "\"}");
    }

    String createPoller(Herald node, String app) throws Exception {
        return post(node, "/api/v1/app/" + app + "/polling-endpoint", "{}");
    }

    /** One page of a polling endpoint (Svix's poller route): the JSON answer. */
    com.fasterxml.jackson.databind.JsonNode poll(Herald node, String app, String poller, String iterator) throws Exception {
        var response = http.newRequest("http://127.0.0.1:" + node.port() + "/api/v1/app/" + app + "/poller/" + poller
                        + "?limit=250" + (iterator == null ? "" : "&iterator=" + iterator))
                .headers(h -> h.put("Authorization", "Bearer " + BenchEnvironment.TOKEN))
                .timeout(30, TimeUnit.SECONDS)
                .send();
        if (response.getStatus() != 200) throw new IllegalStateException("poll answered " + response.getStatus());
        return MAPPER.readTree(response.getContentAsString());
    }

    /** One leased page for {@code consumer} (Svix's second poller consumer): the JSON answer. */
    com.fasterxml.jackson.databind.JsonNode lease(Herald node, String app, String poller, String consumer) throws Exception {
        var response = http.newRequest("http://127.0.0.1:" + node.port() + "/api/v1/app/" + app + "/polling-endpoint/"
                        + poller + "/consumer/" + consumer + "?limit=250&lease_duration_ms=60000")
                .headers(h -> h.put("Authorization", "Bearer " + BenchEnvironment.TOKEN))
                .timeout(30, TimeUnit.SECONDS)
                .send();
        if (response.getStatus() != 200) throw new IllegalStateException("lease answered " + response.getStatus());
        return MAPPER.readTree(response.getContentAsString());
    }

    /** Commits {@code offset} for {@code consumer}. */
    void commit(Herald node, String app, String poller, String consumer, long offset) throws Exception {
        var response = http.POST("http://127.0.0.1:" + node.port() + "/api/v1/app/" + app + "/polling-endpoint/" + poller
                        + "/consumer/" + consumer + "/commit")
                .headers(h -> h.put("Authorization", "Bearer " + BenchEnvironment.TOKEN))
                .body(new StringRequestContent("application/json", "{\"offset\":" + offset + "}"))
                .timeout(30, TimeUnit.SECONDS)
                .send();
        if (response.getStatus() != 204) throw new IllegalStateException("commit answered " + response.getStatus());
    }

    private String post(Herald node, String path, String json) throws Exception {
        var response = http.POST("http://127.0.0.1:" + node.port() + path)
                .headers(h -> h.put("Authorization", "Bearer " + BenchEnvironment.TOKEN))
                .body(new StringRequestContent("application/json", json))
                .timeout(30, TimeUnit.SECONDS)
                .send();
        if (response.getStatus() != 201) throw new IllegalStateException(path + " answered " + response.getStatus() + ": " + response.getContentAsString());
        return MAPPER.readTree(response.getContentAsString()).path("id").asText();
    }

    @Override
    public void close() throws Exception {
        http.stop();
    }
}
