package dev.herald.outbound;

import java.util.Locale;

/**
 * Why an attempt failed, in the few kinds an operator tells apart on a dashboard ({@code reason} of
 * {@code herald_attempts_failed_total}): a receiver answering 5xx is the receiver's to fix, an address the guard
 * blocked is the endpoint's configuration, timeouts and refusals are the network's. A fixed set, so the label adds a
 * dozen series at most whatever the number of endpoints; the attempt's errorMessage says the rest.
 */
public enum FailureReason {
    STATUS_3XX, STATUS_4XX, STATUS_5XX, STATUS_OTHER, TIMEOUT, CONNECT_TIMEOUT, REFUSED, DNS, TLS, BLOCKED, CONNECTION, OTHER;

    /** The label's value: {@code status_5xx}, {@code timeout}, … */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The reason of a failed attempt, from its answer's status (0: none) or the message Herald wrote for it. */
    public static FailureReason of(int statusCode, String errorMessage) {
        if (statusCode >= 300 && statusCode < 400) return STATUS_3XX;
        if (statusCode >= 400 && statusCode < 500) return STATUS_4XX;
        if (statusCode >= 500 && statusCode < 600) return STATUS_5XX;
        if (statusCode != 0) return STATUS_OTHER;
        return FailureClassifier.reasonOf(errorMessage);
    }
}
