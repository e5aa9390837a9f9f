-- Paused endpoints keep receiving fan-out; their deliveries wait in the queue until resumed.
create table endpoint_pause (
    endpoint_id text primary key references endpoint (id) on delete cascade,
    paused_at   timestamptz not null
);

-- Cluster-wide switches every node reads (e.g. 'delivery_paused': the maintenance kill switch).
create table herald_flag (
    name   text primary key,
    set_at timestamptz not null
);

-- Retention sweeps read by age; these keep them cheap at millions of rows.
create index message_payload_expiry_idx on message (payload_expires_at) where payload is not null;
create index message_created_idx on message (created_at);
create index attempt_created_idx on attempt (created_at);
