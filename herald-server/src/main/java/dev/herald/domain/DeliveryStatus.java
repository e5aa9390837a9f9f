package dev.herald.domain;

/** Svix's numeric message/attempt statuses, shared by deliveries and attempts. */
public final class DeliveryStatus {
    public static final int SUCCESS = 0;
    public static final int PENDING = 1;
    public static final int FAIL = 2;
    public static final int SENDING = 3;
    public static final int CANCELED = 4;

    public static final int TRIGGER_SCHEDULED = 0;
    public static final int TRIGGER_MANUAL = 1;

    private DeliveryStatus() {}

    /**
     * The status as Svix's API shows it: canceled (4) only to a caller that asked for {@code expanded_statuses}, to
     * others success (0), as Svix answers clients written before there was a fourth status.
     */
    public static int shown(int status, boolean expanded) {
        return status == CANCELED && !expanded ? SUCCESS : status;
    }

    public static String text(int status) {
        return switch (status) {
            case SUCCESS -> "success";
            case PENDING -> "pending";
            case FAIL -> "fail";
            case SENDING -> "sending";
            case CANCELED -> "canceled";
            default -> "unknown";
        };
    }
}
