-- Messages, the delivery queue, the attempt log, idempotency keys.

-- The payload is stored once, as the exact bytes that are signed and sent (null once expired).
create table message (
    id                 text primary key,
    app_id             text not null references application (id) on delete cascade,
    event_type         text not null,
    event_id           text,
    payload            text,
    channels           text[],
    tags               text[],
    created_at         timestamptz not null,
    deliver_at         timestamptz,
    payload_expires_at timestamptz,
    unique (app_id, event_id)
);
create index message_app_idx on message (app_id, id);

-- The queue: one row per (message, endpoint, trigger). Narrow and hot: ids and counters only.
-- A claim moves next_attempt_at to the lease end, so claimed rows leave the due set and come back by
-- themselves if their node dies. status: 0 delivered, 1 pending, 2 failed (exhausted), 4 canceled.
create table delivery (
    id              bigserial primary key,
    msg_id          text not null references message (id) on delete cascade,
    endpoint_id     text not null references endpoint (id) on delete cascade,
    app_id          text not null,
    trigger_type    smallint not null default 0,
    status          smallint not null default 1,
    attempt_count   int not null default 0,
    next_attempt_at timestamptz,
    created_at      timestamptz not null,
    updated_at      timestamptz not null
) with (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_cost_delay = 0);
create index delivery_due_idx on delivery (next_attempt_at) where status = 1;
create index delivery_msg_idx on delivery (msg_id, endpoint_id);
create index delivery_endpoint_idx on delivery (endpoint_id, msg_id);

-- Every attempt is its own row, never updated.
create table attempt (
    id                   text primary key,
    msg_id               text not null references message (id) on delete cascade,
    endpoint_id          text not null references endpoint (id) on delete cascade,
    app_id               text not null,
    delivery_id          bigint not null,
    url                  text not null,
    attempt_number       int not null,
    status               smallint not null,
    response_status_code int not null,
    response             text,
    response_duration_ms bigint not null,
    error_message        text,
    trigger_type         smallint not null,
    next_attempt         timestamptz,
    created_at           timestamptz not null
);
create index attempt_msg_idx on attempt (msg_id, id);
create index attempt_endpoint_idx on attempt (endpoint_id, id);
create index attempt_app_idx on attempt (app_id, id);

-- Endpoint health: the start of the current run of failures with no success since (auto-disable clock).
alter table endpoint add column failing_since timestamptz;

-- Idempotency keys of POST requests, per token, kept 12 hours.
create table idempotency_key (
    scope        text not null,
    key          text not null,
    request_hash bytea not null,
    status       int,
    response     text,
    created_at   timestamptz not null,
    primary key (scope, key)
);
create index idempotency_key_created_idx on idempotency_key (created_at);
