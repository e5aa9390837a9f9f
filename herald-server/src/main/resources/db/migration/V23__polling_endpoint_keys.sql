-- A polling endpoint's key (Svix's endpoint-specific API key): an application token that reads that poller only. It
-- has no end of its own; rotating the poller's key ends it, and deleting the poller deletes it.
alter table api_token add column poller_id text collate "C" references poller (id) on delete cascade;
create index api_token_poller_idx on api_token (poller_id) where poller_id is not null;
