-- Svix's polling endpoints: a consumer that cannot take webhooks reads its application's messages instead, filtered by
-- event types and channels, through GET /api/v1/app/{app}/poller/{sink}.
create table poller (
    id           text collate "C" primary key,
    app_id       text collate "C" not null references application (id) on delete cascade,
    uid          text,
    description  text not null default '',
    filter_types text[],
    channels     text[],
    created_at   timestamptz not null,
    updated_at   timestamptz not null,
    unique (app_id, uid)
);
create index poller_app_idx on poller (app_id, id);

-- One row per message a poller takes, written by the statement that inserts the message, so in its transaction.
-- Entries are read in (xid, seq) order and only below the oldest transaction still running: every transaction that can
-- still commit has an xid at or above that fence, so a reader that has passed an entry never has one appear behind it
-- (ordering by the message's id or time could: an id taken before a slow commit). No foreign keys: a key's check would
-- lock the poller row once per entry; a trigger deletes a deleted poller's entries.
create table poll_entry (
    poller_id  text collate "C" not null,
    xid        xid8 not null default pg_current_xact_id(),
    seq        bigint generated always as identity,
    msg_id     text collate "C" not null,
    created_at timestamptz not null,
    primary key (poller_id, xid, seq)
);
create index poll_entry_created_idx on poll_entry (created_at);

-- Where each named consumer of a poller has read to (Svix's server-tracked iterator).
create table poll_consumer (
    poller_id   text collate "C" not null references poller (id) on delete cascade,
    consumer_id text collate "C" not null,
    xid         xid8 not null,
    seq         bigint not null,
    updated_at  timestamptz not null,
    primary key (poller_id, consumer_id)
);

create function herald_poller_deleted() returns trigger language plpgsql as $$
begin
    delete from poll_entry where poller_id in (select id from gone);
    return null;
end $$;
create trigger poller_deleted after delete on poller
    referencing old table as gone for each statement execute function herald_poller_deleted();
