package dev.herald.client;

import java.util.List;
import java.util.stream.Collectors;

/** 422: the request was refused field by field, Svix style: {@code {"detail":[{"loc","msg","type"}]}}. */
public final class HeraldValidationException extends HeraldApiException {
    /** One refused field: where ({@code ["body","url"]}), why, and the error type. */
    public record FieldError(List<String> loc, String msg, String type) {}

    private final List<FieldError> errors;

    public HeraldValidationException(List<FieldError> errors, String body) {
        super(422, "validation", summary(errors), body);
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }

    private static String summary(List<FieldError> errors) {
        return errors.stream().map(e -> String.join(".", e.loc()) + ": " + e.msg()).collect(Collectors.joining("; "));
    }
}
