package dev.herald.domain;

import com.github.f4b6a3.ksuid.KsuidCreator;

/** Prefixed, time-sortable ids in Svix's shape: {@code app_} + a 27-character KSUID. */
public final class Ids {
    public static final String APP = "app_";
    public static final String ENDPOINT = "ep_";
    public static final String MESSAGE = "msg_";
    public static final String ATTEMPT = "atmpt_";
    public static final String TOKEN = "tok_";
    public static final String TASK = "qtask_";
    public static final String INTEGRATION = "integ_";
    public static final String POLLER = "poll_";
    public static final String AUTOCONFIG = "acfg_";
    /** Svix names connectors transformation templates. */
    public static final String CONNECTOR = "trtmpl_";

    private Ids() {}

    public static String next(String prefix) {
        return prefix + KsuidCreator.getMonotonicKsuid();
    }
}
