package dev.herald.routing;

import dev.herald.outbound.UrlPolicy;
import dev.herald.outbound.WebhookUrls;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The request for one message before it is signed: the endpoint's own URL, headers and the payload,
 * with whatever a transformation rendered laid over them.
 *
 * @param headers the endpoint's custom headers, then the rendered ones (a rendered header replaces an
 *     endpoint header of the same name, whatever its case)
 */
public record RequestDraft(String method, String url, Map<String, String> headers, byte[] body) {

    public static RequestDraft of(String endpointUrl, Map<String, String> endpointHeaders, byte[] payload,
                                  RenderedRequest rendered) {
        var headers = new LinkedHashMap<String, String>(endpointHeaders);
        rendered.headers().forEach((name, value) -> {
            headers.keySet().removeIf(name::equalsIgnoreCase);
            headers.put(name, value);
        });
        return new RequestDraft(rendered.method(), rendered.url() != null ? rendered.url() : endpointUrl,
                Collections.unmodifiableMap(headers), rendered.body() != null ? rendered.body() : payload);
    }

    /**
     * Why the URL cannot be sent to, if it cannot: a rendered URL comes from payload values, so it gets the
     * same checks an endpoint URL gets at creation (the scheme, and the host as written);
     * the connect-time guard still vets whatever a host name resolves to.
     */
    public Optional<String> urlProblem(UrlPolicy urlPolicy) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("rendered URL is invalid: " + e.getReason());
        }
        Optional<String> problem = WebhookUrls.problem(uri);
        if (problem.isPresent()) return problem.map(reason -> "rendered " + reason);
        return urlPolicy.refusal(uri).map(reason -> "rendered URL refused: " + reason);
    }
}
