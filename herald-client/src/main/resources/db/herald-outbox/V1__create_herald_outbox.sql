-- Herald outbox: events written inside the application's own transactions, sent to Herald by OutboxRelay.
-- Flyway-compatible (plain SQL, idempotent); HeraldOutbox's OutboxSchema.create(connection) runs this same file.

create table if not exists herald_outbox (
    id              bigserial   primary key,
    app_id          text        not null,
    event_id        text        not null,
    event_type      text        not null,
    payload         json        not null,      -- json, not jsonb: the text is kept exactly as published
    channels        text[],
    tags            text[],
    created_at      timestamptz not null default now(),
    next_attempt_at timestamptz not null default now(),  -- when a relay may claim it (also the claim's lease end)
    attempts        integer     not null default 0,
    last_error      text,
    sent_at         timestamptz,                -- null until Herald accepted it
    herald_msg_id   text,
    constraint herald_outbox_event_once unique (app_id, event_id)
);

create index if not exists herald_outbox_due on herald_outbox (next_attempt_at, id) where sent_at is null;
create index if not exists herald_outbox_sent on herald_outbox (sent_at) where sent_at is not null;
