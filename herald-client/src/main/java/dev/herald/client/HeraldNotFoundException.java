package dev.herald.client;

/** 404: the application, endpoint, message or event type does not exist. */
public final class HeraldNotFoundException extends HeraldApiException {
    public HeraldNotFoundException(String code, String detail, String body) {
        super(404, code, detail, body);
    }
}
