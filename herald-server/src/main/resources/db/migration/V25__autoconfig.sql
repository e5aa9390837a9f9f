-- Svix's Webhooks AutoConfig: one token (auto_v1_…) carries the application, an endpoint id, the server's address, a
-- signing secret and an API key. With it a customer's own code makes and updates that endpoint (an HTTP endpoint or a
-- polling endpoint) and verifies what it receives, with nothing set up by hand. The endpoint does not exist until the
-- first subscribe; kind says which it became. The secret is sealed (bound to sink_id) so subscribe can give it to the
-- endpoint it makes; the key is an API token, by hash, that reaches only that endpoint's routes.
create table autoconfig (
    id                text collate "C" primary key,
    app_id            text collate "C" not null references application (id) on delete cascade,
    sink_id           text collate "C" not null,
    kind              text check (kind in ('http', 'poller')),
    token_id          text collate "C" not null,
    secret_key_id     text not null,
    secret_ciphertext bytea not null,
    created_at        timestamptz not null,
    updated_at        timestamptz not null,
    unique (app_id, sink_id)
);
create index autoconfig_token_idx on autoconfig (token_id);
