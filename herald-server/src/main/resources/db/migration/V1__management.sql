-- Applications, event types, endpoints, their secrets, and API tokens.
create table application (
    id            text primary key,
    uid           text unique,
    name          text not null,
    rate_limit    bigint,
    throttle_rate bigint,
    metadata      jsonb not null default '{}',
    created_at    timestamptz not null,
    updated_at    timestamptz not null
);

create table event_type (
    name          text primary key,
    description   text not null default '',
    schemas       jsonb,
    archived      boolean not null default false,
    deprecated    boolean not null default false,
    feature_flag  text,
    feature_flags text[],
    group_name    text,
    created_at    timestamptz not null,
    updated_at    timestamptz not null
);

create table endpoint (
    id            text primary key,
    app_id        text not null references application (id) on delete cascade,
    uid           text,
    url           text not null,
    description   text not null default '',
    disabled      boolean not null default false,
    filter_types  text[],
    channels      text[],
    headers       jsonb not null default '{}',
    rate_limit    bigint,
    throttle_rate bigint,
    metadata      jsonb not null default '{}',
    version       int not null default 1,
    created_at    timestamptz not null,
    updated_at    timestamptz not null,
    unique (app_id, uid)
);
-- list endpoints of an app in id order; fan-out reads all live endpoints of an app
create index endpoint_app_id_idx on endpoint (app_id, id);

-- Current secret has expires_at null; rotated ones keep signing until expires_at (grace period).
create table endpoint_secret (
    id          bigserial primary key,
    endpoint_id text not null references endpoint (id) on delete cascade,
    key_id      text not null,
    ciphertext  bytea not null,
    created_at  timestamptz not null,
    expires_at  timestamptz
);
create index endpoint_secret_endpoint_idx on endpoint_secret (endpoint_id);
create unique index endpoint_secret_current_idx on endpoint_secret (endpoint_id) where expires_at is null;

-- Bearer tokens, stored as SHA-256 hashes. app_id null means an admin token.
create table api_token (
    id         text primary key,
    token_hash bytea not null unique,
    app_id     text references application (id) on delete cascade,
    created_at timestamptz not null,
    expires_at timestamptz
);
create index api_token_app_idx on api_token (app_id);
