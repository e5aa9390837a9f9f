package dev.herald.api;

/** An error answered as Svix does: {@code {"code": …, "detail": …}} with an HTTP status. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    public ApiException(int status, String code, String detail) {
        super(detail);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** An AutoConfig subscribe whose endpoint or poller was deleted and is still being purged. */
    static ApiException sinkBeingRemoved() {
        return new ApiException(409, "conflict", "The endpoint this subscription makes was deleted and its rows are still"
                + " being removed; subscribe again in a minute");
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", what + " not found");
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, "bad_request", detail);
    }
}
