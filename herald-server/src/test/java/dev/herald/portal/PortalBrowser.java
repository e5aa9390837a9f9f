package dev.herald.portal;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a browser does with the portal, over real HTTP: keeps the session cookie the portal sets (for the path it
 * names), and sends htmx's {@code HX-Request} header on the requests htmx makes.
 */
final class PortalBrowser {
    record Page(int status, String body, java.net.http.HttpHeaders headers) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String baseUrl;
    private final String cookieName;
    private String cookie;
    private String cookiePath;

    PortalBrowser(String baseUrl) {
        this(baseUrl, PortalSession.COOKIE);
    }

    /** A browser signed in to {@code app}'s portal with a link asked for with {@code accessIn} (Svix's AppPortalAccessIn). */
    static PortalBrowser signedIn(dev.herald.testing.TestHerald herald, String app, String accessIn) {
        var browser = new PortalBrowser(herald.baseUrl());
        var access = herald.api.post("/api/v1/auth/app-portal-access/" + app, accessIn);
        org.assertj.core.api.Assertions.assertThat(access.status()).as(access.raw()).isEqualTo(200);
        org.assertj.core.api.Assertions.assertThat(browser.open(access.text("url")).status()).isEqualTo(204);
        return browser;
    }

    /** A browser signed in to the operator's dashboard with the admin token. */
    static PortalBrowser dashboardSignedIn(dev.herald.testing.TestHerald herald) {
        var browser = new PortalBrowser(herald.baseUrl(), DashboardRoutes.COOKIE);
        var signIn = browser.post("/dashboard/session", java.util.Map.of("token", dev.herald.testing.TestHerald.ADMIN_TOKEN));
        org.assertj.core.api.Assertions.assertThat(signIn.status()).isEqualTo(204);
        return browser;
    }

    /** A browser keeping the cookie named {@code cookieName} (the portal's or the dashboard's). */
    PortalBrowser(String baseUrl, String cookieName) {
        this.baseUrl = baseUrl;
        this.cookieName = cookieName;
    }

    /** Opens an app-portal-access link: the page, then what its script does with the token in the fragment. */
    Page open(String link) {
        var uri = URI.create(link);
        var page = get(uri.getPath(), false);
        if (page.status() != 200 || !page.body().contains("/portal/assets/portal.js")) return page;
        String token = uri.getFragment().substring("token=".length());
        return post(uri.getPath() + "/session", Map.of("token", token));
    }

    Page get(String path) {
        return get(path, false);
    }

    Page htmxGet(String path) {
        return get(path, true);
    }

    Page get(String path, boolean htmx) {
        var request = request(path, htmx).GET();
        return send(path, request);
    }

    /** A form or button through htmx. */
    Page post(String path, Map<String, String> form) {
        return post(path, form, true);
    }

    /** With headers a proxy in front of Herald would add. */
    Page post(String path, Map<String, String> form, boolean htmx, String... headers) {
        String body = form.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
        return postRaw(path, body, htmx, headers);
    }

    Page postRaw(String path, String formBody, boolean htmx, String... headers) {
        var request = request(path, htmx).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(formBody));
        if (headers.length > 0) request.headers(headers);
        return send(path, request);
    }

    /** Puts a cookie in the jar by hand, as another site's page or a tampering user would find it. */
    void setCookie(String value, String path) {
        this.cookie = value;
        this.cookiePath = path;
    }

    String cookie() {
        return cookie;
    }

    private HttpRequest.Builder request(String path, boolean htmx) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path));
        if (cookie != null && !cookie.isEmpty() && path.startsWith(cookiePath)) {
            builder.header("Cookie", cookieName + "=" + cookie);
        }
        if (htmx) builder.header("HX-Request", "true");
        return builder;
    }

    private Page send(String path, HttpRequest.Builder request) {
        try {
            var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            response.headers().allValues("Set-Cookie").forEach(this::remember);
            return new Page(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void remember(String setCookie) {
        var parts = setCookie.split(";\\s*");
        if (!parts[0].startsWith(cookieName + "=")) return;
        String value = parts[0].substring(cookieName.length() + 1);
        String path = "/";
        boolean expired = false;
        for (var part : parts) {
            if (part.startsWith("Path=")) path = part.substring(5);
            if (part.equals("Max-Age=0")) expired = true;
        }
        cookie = expired ? null : value;
        cookiePath = path;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
