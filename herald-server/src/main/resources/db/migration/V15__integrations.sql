-- Svix's integrations: named keys, each scoped to one application. The key is an application token (found by its hash
-- in api_token, as every token is) and is also kept sealed here (AES-GCM, bound to the integration's id), because Svix
-- lets its owner read it again. Deleting the integration (or its application) deletes its token.
create table integration (
    id             text primary key,
    app_id         text not null references application (id) on delete cascade,
    name           text not null,
    feature_flags  text[],
    token_id       text not null unique references api_token (id) on delete cascade,
    key_id         text not null,
    key_ciphertext bytea not null,
    created_at     timestamptz not null,
    updated_at     timestamptz not null
);
create index integration_app_idx on integration (app_id, id);
