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
