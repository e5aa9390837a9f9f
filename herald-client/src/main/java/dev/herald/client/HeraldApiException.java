package dev.herald.client;

/**
 * Herald answered with an error status. Carries the Svix error body: {@code code} and {@code detail}
 * (for a 422 the subtype {@link HeraldValidationException} carries the field errors), and the body as sent.
 */
public class HeraldApiException extends HeraldException {
    private final int status;
    private final String code;
    private final String detail;
    private final String body;

    public HeraldApiException(int status, String code, String detail, String body) {
        super("Herald answered " + status + (code == null ? "" : " " + code) + (detail == null ? "" : ": " + detail), null);
        this.status = status;
        this.code = code;
        this.detail = detail;
        this.body = body;
    }

    public int status() {
        return status;
    }

    /** Svix's machine-readable code ({@code not_found}, {@code conflict}, …); null when the body had none. */
    public String code() {
        return code;
    }

    public String detail() {
        return detail;
    }

    /** The response body exactly as Herald sent it. */
    public String body() {
        return body;
    }
}
