package dev.herald.portal;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The app portal as a customer's browser uses it: the link app-portal-access gives, the pages it opens, and every
 * change made from them, seen through the API afterwards. Deliveries go to a real receiver on 127.0.0.1.
 */
@ExtendWith(TestDatabase.class)
class AppPortalTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    static TestHerald herald;
    static Receiver receiver;
    String app;
    String base;
    PortalBrowser browser;

    @BeforeAll
    static void start() {
        var env = TestHerald.defaultEnv();
        env.put("HERALD_RETRY_SCHEDULE", "0"); // one attempt: a failed delivery stays failed until the portal sends it again
        herald = TestHerald.start(env, Clock.systemUTC());
        receiver = new Receiver();
    }

    @AfterAll
    static void stop() {
        receiver.close();
        herald.close();
    }

    @BeforeEach
    void signedIn() {
        app = herald.api.post("/api/v1/app", json("name", "Acme")).text("id");
        base = "/portal/" + app;
        browser = new PortalBrowser(herald.baseUrl());
        var opened = browser.open(link(app));
        assertThat(opened.status()).isEqualTo(204);
    }

    private static String link(String appId) {
        var access = herald.api.post("/api/v1/auth/app-portal-access/" + appId, "{}");
        assertThat(access.status()).isEqualTo(200);
        return access.text("url");
    }

    private String endpoint(String url) {
        return herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", url)).text("id");
    }

    private String publish(String eventType) {
        var published = herald.api.post("/api/v1/app/" + app + "/msg",
                "{\"eventType\":\"" + eventType + "\",\"payload\":{\"invoice\":\"in_42\",\"amount\":1200}}");
        assertThat(published.status()).isEqualTo(202);
        return published.text("id");
    }

    @Test
    void the_link_app_portal_access_gives_opens_the_portal_and_keeps_the_session_in_a_strict_cookie() {
        var fresh = new PortalBrowser(herald.baseUrl());
        String link = link(app);
        assertThat(link).startsWith(herald.baseUrl() + base + "#token=appsk_");

        var signIn = fresh.get(base);
        assertThat(signIn.status()).isEqualTo(200);
        assertThat(signIn.header("Content-Type")).startsWith("text/html");
        assertThat(signIn.header("Content-Security-Policy")).contains("script-src 'self'").contains("frame-ancestors 'none'");
        assertThat(signIn.body()).contains("<script src=\"/portal/assets/portal.js\"");

        var session = fresh.post(base + "/session", Map.of("token", link.substring(link.indexOf("#token=") + 7)));
        assertThat(session.status()).isEqualTo(204);
        assertThat(session.header("Set-Cookie"))
                .startsWith(PortalSession.COOKIE + "=appsk_")
                .contains("; Path=" + base + ";")
                .contains("HttpOnly")
                .contains("SameSite=Strict")
                .containsPattern("Max-Age=60479\\d");

        assertThat(session.header("Set-Cookie")).doesNotContain("Secure");

        // behind a proxy that ends TLS: the link says https, and the cookie is sent over HTTPS only
        var proxied = herald.api.send("POST", "/api/v1/auth/app-portal-access/" + app, "{}", "X-Forwarded-Proto", "https");
        assertThat(proxied.text("url")).startsWith("https://127.0.0.1:");
        var behindProxy = new PortalBrowser(herald.baseUrl());
        String proxiedToken = proxied.text("token");
        assertThat(behindProxy.post(base + "/session", Map.of("token", proxiedToken), true, "X-Forwarded-Proto", "https")
                .header("Set-Cookie")).endsWith("; Secure");

        var endpoints = fresh.get(base + "/endpoints");
        assertThat(endpoints.status()).isEqualTo(200);
        assertThat(endpoints.body()).contains("<h1>Endpoints</h1>").contains("Acme");
    }

    @Test
    void app_portal_access_creates_a_missing_application_from_application_as_svix_does() {
        assertThat(herald.api.post("/api/v1/auth/app-portal-access/new-customer", "{}").status()).isEqualTo(404);
        var access = herald.api.post("/api/v1/auth/app-portal-access/new-customer", "{\"application\":{\"name\":\"New Customer\"}}");
        assertThat(access.status()).isEqualTo(200);
        var made = herald.api.get("/api/v1/app/new-customer");
        assertThat(made.status()).isEqualTo(200);
        assertThat(made.text("name")).isEqualTo("New Customer");
        assertThat(access.text("url")).contains("/portal/" + made.text("id") + "#token=appsk_");
        // the application exists now: given again, application is ignored
        var again = herald.api.post("/api/v1/auth/app-portal-access/new-customer", "{\"application\":{\"name\":\"Renamed\"}}");
        assertThat(again.text("url")).contains("/portal/" + made.text("id") + "#");
        assertThat(herald.api.get("/api/v1/app/new-customer").text("name")).isEqualTo("New Customer");
        var fresh = new PortalBrowser(herald.baseUrl());
        assertThat(fresh.open(access.text("url")).status()).isEqualTo(204);
        assertThat(fresh.get("/portal/" + made.text("id") + "/endpoints").body()).contains("New Customer");
    }

    @Test
    void the_scripts_and_style_are_served_from_the_portal_itself() {
        var htmx = browser.get(PortalAssets.PATH + PortalAssets.HTMX);
        assertThat(htmx.status()).isEqualTo(200);
        assertThat(htmx.header("Content-Type")).startsWith("text/javascript");
        assertThat(htmx.header("Cache-Control")).contains("immutable");
        assertThat(htmx.body()).contains("htmx");
        assertThat(browser.get(PortalAssets.PATH + "portal.js").body()).contains("/session");
        assertThat(browser.get(PortalAssets.PATH + "portal.css").header("Content-Type")).startsWith("text/css");
        assertThat(browser.get(PortalAssets.PATH + "nothing.js").status()).isEqualTo(404);
        // every page names the htmx the portal serves
        assertThat(browser.get(base + "/endpoints").body()).contains("src=\"" + PortalAssets.PATH + PortalAssets.HTMX + "\"");
    }

    @Test
    void no_page_carries_inline_script_style_or_handlers_which_its_policy_would_block() {
        String ep = endpoint("http://127.0.0.1:9/policy");
        String msg = publish("invoice.paid");
        String poller = herald.api.post("/api/v1/app/" + app + "/polling-endpoint", "{}").text("id");
        var html = new java.util.ArrayList<String>();
        for (var path : java.util.List.of(base, base + "/endpoints", base + "/endpoints/" + ep, base + "/messages", base + "/event-types",
                base + "/messages/" + msg, base + "/messages/msg_unknown", base + "/polling", base + "/polling/" + poller)) {
            html.add(browser.get(path).body());
        }
        html.add(new PortalBrowser(herald.baseUrl()).get(base + "/endpoints").body()); // signed out
        html.add(browser.post(base + "/endpoints", Map.of("url", "ftp://x")).body()); // the form with its objection
        html.add(browser.post(base + "/polling", Map.of("channels", "no spaces allowed")).body());
        html.add(browser.post(base + "/polling/" + poller + "/key", Map.of()).body());
        html.add(new PortalBrowser(herald.baseUrl()).get("/dashboard").body());
        for (String page : html) {
            assertThat(page).isNotBlank()
                    .doesNotContainPattern("<script(?![^>]*\\ssrc=\"/portal/assets/)")
                    .doesNotContainPattern("\\sstyle=")
                    .doesNotContainPattern("\\son[a-z]+=")
                    .doesNotContainPattern("(src|href)=\"(https?:)?//");
        }
    }

    @Test
    void without_a_live_session_the_pages_say_signed_out() {
        var stranger = new PortalBrowser(herald.baseUrl());
        var none = stranger.get(base + "/endpoints");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.body()).contains("Signed out").contains("Ask the service that sent you here for a new link");

        stranger.setCookie("appsk_notatoken", base);
        assertThat(stranger.get(base + "/messages").status()).isEqualTo(401);
        assertThat(stranger.post(base + "/session", Map.of("token", "appsk_notatoken")).status()).isEqualTo(401);

        // the operator's token never opens a portal, nor goes into a cookie
        var admin = stranger.post(base + "/session", Map.of("token", TestHerald.ADMIN_TOKEN));
        assertThat(admin.status()).isEqualTo(403);
        assertThat(admin.header("Set-Cookie")).isNull();
        stranger.setCookie(TestHerald.ADMIN_TOKEN, base);
        assertThat(stranger.get(base + "/endpoints").status()).isEqualTo(403);
    }

    @Test
    void one_applications_link_opens_nothing_of_another() {
        String other = herald.api.post("/api/v1/app", json("name", "Other")).text("id");
        String otherEndpoint = herald.api.post("/api/v1/app/" + other + "/endpoint", json("url", "http://127.0.0.1:9/o")).text("id");
        String otherMessage = herald.api.post("/api/v1/app/" + other + "/msg", "{\"eventType\":\"t\",\"payload\":{}}").text("id");

        // this application's session, sent to the other's pages (a browser would not even send it there)
        browser.setCookie(browser.cookie(), "/portal/");
        assertThat(browser.get("/portal/" + other + "/endpoints").status()).isEqualTo(404);
        assertThat(browser.post("/portal/" + other + "/endpoints", Map.of("url", "https://example.com/x")).status()).isEqualTo(404);
        // the other's ids under this application's pages
        assertThat(browser.get(base + "/endpoints/" + otherEndpoint).status()).isEqualTo(404);
        assertThat(browser.get(base + "/messages/" + otherMessage).status()).isEqualTo(404);
        assertThat(browser.post(base + "/endpoints/" + otherEndpoint + "/disable", Map.of()).status()).isEqualTo(404);
        assertThat(browser.post(base + "/messages/" + otherMessage + "/endpoints/" + otherEndpoint + "/resend", Map.of()).status())
                .isEqualTo(404);
        assertThat(herald.api.get("/api/v1/app/" + other + "/endpoint/" + otherEndpoint).body().path("disabled").asBoolean()).isFalse();
        assertThat(herald.api.get("/api/v1/app/" + other + "/endpoint").body().path("data")).hasSize(1);
    }

    @Test
    void a_change_must_come_from_the_portals_own_pages() {
        // a form another site posts carries the cookie only without SameSite=Strict, and never htmx's header
        var forged = browser.post(base + "/endpoints", Map.of("url", "https://example.com/forged"), false);
        assertThat(forged.status()).isEqualTo(403);
        String ep = endpoint("http://127.0.0.1:9/kept");
        assertThat(browser.post(base + "/endpoints/" + ep + "/delete", Map.of(), false).status()).isEqualTo(403);
        var list = herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("url").asText()).isEqualTo("http://127.0.0.1:9/kept");
    }

    @Test
    void an_endpoint_added_through_the_form_is_checked_as_the_api_checks_it() {
        herald.api.post("/api/v1/event-type", json("name", "invoice.paid", "description", "paid"));
        herald.api.post("/api/v1/event-type", json("name", "invoice.voided", "description", "voided"));
        var form = browser.get(base + "/endpoints").body();
        assertThat(form).contains("value=\"invoice.paid\"").contains("value=\"invoice.voided\"");

        var refused = browser.postRaw(base + "/endpoints", "url=http%3A%2F%2F10.0.0.7%2Fhook&description=mine&filterTypes=no.such.type", true);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body())
                .contains("id=\"new-endpoint\"")
                .contains("blocked address 10.0.0.7")
                .contains("unknown event types: no.such.type")
                .contains("value=\"mine\""); // what was typed stays
        var garbled = browser.post(base + "/endpoints", Map.of("url", "not a url"));
        assertThat(garbled.status()).isEqualTo(422);
        assertThat(garbled.body()).contains("class=\"field-error\"");
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data")).isEmpty();

        var added = browser.postRaw(base + "/endpoints",
                "url=" + enc(receiver.url("/added")) + "&description=Billing&filterTypes=invoice.paid", true);
        assertThat(added.status()).isEqualTo(201);
        var list = herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("url").asText()).isEqualTo(receiver.url("/added"));
        assertThat(list.get(0).path("description").asText()).isEqualTo("Billing");
        assertThat(list.get(0).path("filterTypes").toString()).isEqualTo("[\"invoice.paid\"]");
        assertThat(added.header("HX-Redirect")).isEqualTo(base + "/endpoints/" + list.get(0).path("id").asText());

        publish("invoice.voided");
        String paid = publish("invoice.paid");
        Receiver.await(WAIT, () -> receiver.requests("/added").size() == 1, "the new endpoint's delivery");
        assertThat(receiver.requests("/added").get(0).header("webhook-id")).isEqualTo(paid);
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void the_event_catalog_shows_each_types_description_example_and_schema_but_not_flagged_or_archived_types() {
        var schema = "{\"1\":{\"type\":\"object\",\"properties\":{\"invoice\":{\"type\":\"string\"}},"
                + "\"examples\":[{\"invoice\":\"in_1\",\"amount\":1200}]}}";
        assertThat(herald.api.post("/api/v1/event-type", "{\"name\":\"invoice.paid\",\"description\":\"An invoice was paid\","
                + "\"groupName\":\"Billing\",\"schemas\":" + schema + "}").status()).isEqualTo(201);
        assertThat(herald.api.post("/api/v1/event-type", "{\"name\":\"card.beta\",\"description\":\"b\",\"featureFlags\":[\"beta\"]}")
                .status()).isEqualTo(201);
        assertThat(herald.api.post("/api/v1/event-type", json("name", "old.type", "description", "o")).status()).isEqualTo(201);
        assertThat(herald.api.delete("/api/v1/event-type/old.type").status()).isEqualTo(204); // archived

        var catalog = browser.get(base + "/event-types");
        assertThat(catalog.status()).isEqualTo(200);
        assertThat(catalog.body())
                .contains("<strong>invoice.paid</strong>").contains("An invoice was paid").contains("Billing")
                .contains("\"invoice\" : \"in_1\"") // the schema's example, indented
                .contains("\"type\" : \"object\"") // the schema
                .doesNotContain("card.beta").doesNotContain("old.type");
        var form = browser.get(base + "/endpoints").body();
        assertThat(form).contains("value=\"invoice.paid\"").doesNotContain("card.beta").doesNotContain("old.type");

        // an endpoint subscribed (through the API) to a flagged type keeps it when its owner saves the form
        String ep = herald.api.post("/api/v1/app/" + app + "/endpoint",
                "{\"url\":\"http://127.0.0.1:9/beta\",\"filterTypes\":[\"card.beta\"]}").text("id");
        assertThat(browser.get(base + "/endpoints/" + ep).body())
                .contains("<input type=\"checkbox\" name=\"filterTypes\" value=\"card.beta\" checked>");
        browser.postRaw(base + "/endpoints/" + ep, "url=" + enc("http://127.0.0.1:9/beta") + "&filterTypes=card.beta", true);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).body().path("filterTypes").toString())
                .isEqualTo("[\"card.beta\"]");
    }

    @Test
    void text_from_the_api_is_shown_as_text_never_as_markup() {
        herald.api.patch("/api/v1/app/" + app, json("name", "<img src=x onerror=alert(1)>"));
        String ep = herald.api.post("/api/v1/app/" + app + "/endpoint",
                json("url", "http://127.0.0.1:9/x", "description", "<script>alert('d')</script>")).text("id");
        herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"html\":\"</pre><script>alert(2)</script>\"}}");

        var endpoints = browser.get(base + "/endpoints").body();
        assertThat(endpoints).doesNotContain("<script>alert").doesNotContain("<img src=x")
                .contains("&lt;script&gt;alert('d')&lt;/script&gt;").contains("&lt;img src=x onerror=alert(1)&gt;");
        assertThat(browser.get(base + "/endpoints/" + ep).body()).doesNotContain("<script>alert");
        String msg = herald.api.get("/api/v1/app/" + app + "/msg").body().path("data").get(0).path("id").asText();
        var message = browser.get(base + "/messages/" + msg).body();
        assertThat(message).doesNotContain("</pre><script>").contains("&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;");
    }

    @Test
    void a_customer_reads_a_failed_attempt_and_resends_the_message() {
        receiver.reply(r -> Receiver.Reply.status(r.path().equals("/flaky") && receiver.requests("/flaky").size() == 1 ? 503 : 200));
        String ep = endpoint(receiver.url("/flaky"));
        String msg = publish("invoice.paid");
        Receiver.await(WAIT, () -> herald.api.get("/api/v1/app/" + app + "/msg/" + msg + "/endpoint").body().path("data")
                .path(0).path("status").asInt() == 2, "the failed attempt recorded");

        var page = browser.get(base + "/messages/" + msg);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body())
                .contains("<h1>invoice.paid</h1>")
                .contains("\"invoice\" : \"in_42\"")
                .contains(receiver.url("/flaky"))
                .contains("<td class=\"fail\">fail</td>")
                .contains("503");
        assertThat(count(page.body(), "<td class=\"fail\">fail</td>")).isEqualTo(2); // the attempt, and the delivery's state
        var list = browser.get(base + "/messages").body();
        assertThat(list).contains(base + "/messages/" + msg);

        var resent = browser.post(base + "/messages/" + msg + "/endpoints/" + ep + "/resend", Map.of());
        assertThat(resent.status()).isEqualTo(202);
        assertThat(resent.body()).contains("Queued");
        Receiver.await(WAIT, () -> receiver.requests("/flaky").size() == 2, "the resent delivery");
        Receiver.await(WAIT, () -> browser.get(base + "/messages/" + msg).body().contains("<td class=\"success\">success</td>"),
                "the resend's success on the message's page");
        var attempts = herald.api.get("/api/v1/app/" + app + "/attempt/msg/" + msg).body().path("data");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).path("triggerType").asInt()).isEqualTo(1); // manual
        assertThat(attempts.get(0).path("responseStatusCode").asInt()).isEqualTo(200);
    }

    @Test
    void the_endpoint_page_reveals_the_secret_and_disables_enables_and_deletes() {
        String ep = endpoint("http://127.0.0.1:9/managed");
        var page = browser.get(base + "/endpoints/" + ep);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("http://127.0.0.1:9/managed").contains("Enabled").doesNotContain("whsec_");

        var secret = browser.htmxGet(base + "/endpoints/" + ep + "/secret");
        assertThat(secret.body()).contains(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep + "/secret").text("key"))
                .doesNotContain("Ed25519");
        // an endpoint that signs with an Ed25519 key shows its public key, and says so; never the key pair
        String pair = "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
        String signed = herald.api.post("/api/v1/app/" + app + "/endpoint",
                "{\"url\":\"http://127.0.0.1:9/ed\",\"secret\":\"" + pair + "\"}").text("id");
        assertThat(browser.htmxGet(base + "/endpoints/" + signed + "/secret").body())
                .contains("whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=").contains("Ed25519").doesNotContain("whsk_");

        var disabled = browser.post(base + "/endpoints/" + ep + "/disable", Map.of());
        assertThat(disabled.status()).isEqualTo(204);
        assertThat(disabled.header("HX-Refresh")).isEqualTo("true");
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).body().path("disabled").asBoolean()).isTrue();
        assertThat(browser.get(base + "/endpoints/" + ep).body()).contains("Disabled: nothing is sent to it");

        browser.post(base + "/endpoints/" + ep + "/enable", Map.of());
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).body().path("disabled").asBoolean()).isFalse();

        var deleted = browser.post(base + "/endpoints/" + ep + "/delete", Map.of());
        assertThat(deleted.header("HX-Redirect")).isEqualTo(base + "/endpoints");
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).status()).isEqualTo(404);
        assertThat(browser.get(base + "/endpoints/" + ep).status()).isEqualTo(404);
    }

    @Test
    void the_endpoint_is_edited_with_the_same_checks_and_emptied_fields_are_emptied() {
        herald.api.post("/api/v1/event-type", json("name", "invoice.paid", "description", "paid"));
        String ep = herald.api.post("/api/v1/app/" + app + "/endpoint",
                json("url", "http://127.0.0.1:9/before", "description", "Before")).text("id");
        var page = browser.get(base + "/endpoints/" + ep).body();
        assertThat(page).contains("id=\"edit-endpoint\"").contains("value=\"http://127.0.0.1:9/before\"").contains("value=\"Before\"");

        var refused = browser.post(base + "/endpoints/" + ep, Map.of("url", "http://169.254.169.254/latest"));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("id=\"edit-endpoint\"").contains("blocked address 169.254.169.254");
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).text("url")).isEqualTo("http://127.0.0.1:9/before");

        var saved = browser.postRaw(base + "/endpoints/" + ep,
                "url=" + enc(receiver.url("/edited")) + "&description=&filterTypes=invoice.paid", true);
        assertThat(saved.status()).isEqualTo(204);
        assertThat(saved.header("HX-Refresh")).isEqualTo("true");
        var after = herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).body();
        assertThat(after.path("url").asText()).isEqualTo(receiver.url("/edited"));
        assertThat(after.path("description").asText()).isEmpty();
        assertThat(after.path("filterTypes").toString()).isEqualTo("[\"invoice.paid\"]");

        browser.post(base + "/endpoints/" + ep, Map.of("url", receiver.url("/edited")));
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep).body().path("filterTypes").isNull()).isTrue();
    }

    @Test
    void a_rotated_secret_signs_beside_the_old_one_and_a_test_event_reaches_the_endpoint_alone() throws Exception {
        herald.api.post("/api/v1/event-type", json("name", "invoice.paid", "description", "paid"));
        String ep = endpoint(receiver.url("/tested"));
        endpoint(receiver.url("/untouched"));
        String old = herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep + "/secret").text("key");
        var rotated = browser.post(base + "/endpoints/" + ep + "/secret/rotate", Map.of());
        assertThat(rotated.status()).isEqualTo(200);
        assertThat(rotated.body()).contains("Rotated");
        String current = herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep + "/secret").text("key");
        assertThat(current).startsWith("whsec_").isNotEqualTo(old);
        assertThat(browser.htmxGet(base + "/endpoints/" + ep + "/secret").body()).contains(current);

        assertThat(browser.get(base + "/endpoints/" + ep).body()).contains("<option value=\"invoice.paid\">");
        var sent = browser.post(base + "/endpoints/" + ep + "/example", Map.of("eventType", "invoice.paid"));
        assertThat(sent.status()).isEqualTo(202);
        assertThat(sent.body()).contains("Sent: a test invoice.paid message (msg_");
        Receiver.await(WAIT, () -> receiver.requests("/tested").size() == 1, "the test event");
        var request = receiver.requests("/tested").get(0);
        assertThat(request.body()).contains("\"example\":true");
        // signed with both secrets while the old one's grace lasts
        assertThat(request.header("webhook-signature").split(" ")).hasSize(2);
        new com.standardwebhooks.Webhook(old).verify(request.body(), standardHeaders(request));
        new com.standardwebhooks.Webhook(current).verify(request.body(), standardHeaders(request));
        assertThat(receiver.requests("/untouched")).isEmpty();

        var unknown = browser.post(base + "/endpoints/" + ep + "/example", Map.of("eventType", "no.such.type"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("Event type not found");
    }

    private static Map<String, java.util.List<String>> standardHeaders(Receiver.Request request) {
        return Map.of("webhook-id", java.util.List.of(request.header("webhook-id")),
                "webhook-timestamp", java.util.List.of(request.header("webhook-timestamp")),
                "webhook-signature", java.util.List.of(request.header("webhook-signature")));
    }

    @Test
    void recover_sends_again_what_failed_since_the_time_given() {
        receiver.reply(r -> Receiver.Reply.status(r.path().equals("/down") && receiver.requests("/down").size() <= 2 ? 500 : 200));
        String ep = endpoint(receiver.url("/down"));
        String first = publish("invoice.paid");
        String second = publish("invoice.paid");
        Receiver.await(WAIT, () -> receiver.requests("/down").size() == 2, "both first attempts");
        // one attempt each (HERALD_RETRY_SCHEDULE=0): recorded, both deliveries are failed (2)
        Receiver.await(WAIT, () -> herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep + "/msg").body().path("data")
                .findValues("status").stream().filter(s -> s.asInt() == 2).count() == 2, "both failures recorded");

        var unreadable = browser.post(base + "/endpoints/" + ep + "/recover", Map.of("since", "yesterday"));
        assertThat(unreadable.status()).isEqualTo(422);
        assertThat(unreadable.body()).contains("a date and time is needed");
        var farOff = browser.post(base + "/endpoints/" + ep + "/recover", Map.of("since", "+999999999-12-31T23:59"));
        assertThat(farOff.status()).isEqualTo(422);
        assertThat(farOff.body()).contains("datetime out of range (years 1 to 9999)");

        String since = LocalDateTime.ofInstant(Instant.now().minus(1, ChronoUnit.HOURS), ZoneOffset.UTC)
                .truncatedTo(ChronoUnit.MINUTES).toString();
        var recovered = browser.post(base + "/endpoints/" + ep + "/recover", Map.of("since", since));
        assertThat(recovered.status()).isEqualTo(202);
        // two failed: a small recovery finishes before the answer, which counts them
        assertThat(recovered.body()).contains("Done: 2 messages whose delivery here, made since " + since.replace('T', ' ') + ":00 UTC, failed are being sent again.");
        Receiver.await(WAIT, () -> receiver.requests("/down").size() == 4, "both failed messages sent again");
        assertThat(receiver.requests("/down").subList(2, 4).stream().map(r -> r.header("webhook-id")))
                .containsExactlyInAnyOrder(first, second);
        Receiver.await(WAIT, () -> browser.get(base + "/endpoints/" + ep).body().contains("delivered <strong>2</strong>"),
                "both successes counted on the endpoint's page");
        var nothing = browser.post(base + "/endpoints/" + ep + "/recover", Map.of("since", since));
        assertThat(nothing.body()).contains("No delivery made here since");
    }

    @Test
    void messages_are_listed_newest_first_a_page_at_a_time_and_by_event_type() {
        for (int i = 0; i < 55; i++) publish(i % 5 == 0 ? "invoice.voided" : "invoice.paid");
        var first = browser.get(base + "/messages").body();
        assertThat(count(first, "<tr>\\s*<td>")).isEqualTo(50);
        var older = Pattern.compile("href=\"([^\"]+)\">Older").matcher(first);
        assertThat(older.find()).isTrue();
        assertThat(first).doesNotContain("Newer");
        var second = browser.get(older.group(1).replace("&amp;", "&")).body();
        assertThat(count(second, "<tr>\\s*<td>")).isEqualTo(5);
        assertThat(second).contains("Newer").doesNotContain("Older");

        var voided = browser.get(base + "/messages?event_types=invoice.voided").body();
        assertThat(count(voided, "<tr>\\s*<td>")).isEqualTo(11);
        assertThat(voided).doesNotContain("<td>invoice.paid</td>");
        assertThat(browser.get(base + "/messages?iterator=bogus").status()).isEqualTo(422);
    }

    private static int count(String text, String regex) {
        return (int) Pattern.compile(regex).matcher(text).results().count();
    }

    @Test
    void signing_out_ends_the_token_and_expire_all_ends_every_session() {
        String token = browser.cookie();
        var out = browser.post(base + "/logout", Map.of());
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.header("Set-Cookie")).contains("Max-Age=0").contains("Path=" + base);
        assertThat(browser.cookie()).isNull();
        assertThat(herald.api.withToken(token).get("/api/v1/app/" + app).status()).isEqualTo(401);
        var stale = new PortalBrowser(herald.baseUrl());
        stale.setCookie(token, base);
        assertThat(stale.get(base + "/endpoints").status()).isEqualTo(401);

        var again = new PortalBrowser(herald.baseUrl());
        assertThat(again.open(link(app)).status()).isEqualTo(204);
        assertThat(again.get(base + "/endpoints").status()).isEqualTo(200);
        assertThat(herald.api.post("/api/v1/auth/app/" + app + "/expire-all", "{}").status()).isEqualTo(204);
        // htmx is told to reload the page, which then shows it signed out
        var ended = again.htmxGet(base + "/endpoints");
        assertThat(ended.status()).isEqualTo(401);
        assertThat(ended.header("HX-Refresh")).isEqualTo("true");
        assertThat(again.get(base + "/endpoints").body()).contains("Signed out");
    }
}
