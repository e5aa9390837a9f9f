package dev.herald.client;

/** 409: a uid or eventId is already taken, or a request with the same idempotency-key is still running. */
public final class HeraldConflictException extends HeraldApiException {
    public HeraldConflictException(String code, String detail, String body) {
        super(409, code, detail, body);
    }
}
