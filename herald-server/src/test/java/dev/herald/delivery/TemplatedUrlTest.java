package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which transformations make a URL that differs from message to message (a 410 from it ends that delivery only). */
class TemplatedUrlTest {

    @Test
    void only_tags_of_the_message_make_a_url_per_message() {
        assertThat(DeliveryRecorder.urlFromTemplate("{\"url\":\"https://x/items/{{payload.id}}\"}")).isTrue();
        assertThat(DeliveryRecorder.urlFromTemplate("{\"url\":\"https://x/{{ eventType }}\"}")).isTrue();
        assertThat(DeliveryRecorder.urlFromTemplate("{\"url\":\"https://x/{{msgId}}\"}")).isTrue();
        assertThat(DeliveryRecorder.urlFromTemplate("{\"url\":\"https://x/{{&payload.id}}\"}")).as("unescaped form").isTrue();
        assertThat(DeliveryRecorder.urlFromTemplate("{\"url\":\"https://x/{{{payload.id}}}\"}")).isTrue();
        // fixed per endpoint: a 410 from it says the endpoint's URL is gone
        assertThat(DeliveryRecorder.urlFromTemplate("{\"url\":\"https://x/{{app.uid}}/hook\"}")).isFalse();
        assertThat(DeliveryRecorder.urlFromTemplate("{\"url\":\"https://x/{{endpoint.id}}\"}")).isFalse();
        // a tag elsewhere than the URL
        assertThat(DeliveryRecorder.urlFromTemplate("{\"url\":\"https://x/h\",\"body\":{\"id\":\"{{payload.id}}\"}}")).isFalse();
        assertThat(DeliveryRecorder.urlFromTemplate(null)).isFalse();
    }
}
