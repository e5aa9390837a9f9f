package dev.herald.client;

/** 401 (token missing or unknown) or 403 (token scoped to another application). */
public final class HeraldAuthException extends HeraldApiException {
    public HeraldAuthException(int status, String code, String detail, String body) {
        super(status, code, detail, body);
    }
}
