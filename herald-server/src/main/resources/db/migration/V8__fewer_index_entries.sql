-- Every message and every attempt wrote an entry into each of five btree indexes. Fewer, on the hot path:

-- Every attempt query names a message or an endpoint as well as the app: their indexes serve it.
drop index attempt_app_idx;

-- created_at serves only retention sweeps and time-range filters, and rows arrive in time order: a BRIN index
-- (a summary per range of blocks, a few pages in all) serves them without an entry per row.
drop index attempt_created_idx;
create index attempt_created_brin on attempt using brin (created_at);
drop index message_created_idx;
create index message_created_brin on message using brin (created_at);

-- eventId is optional: a message without one needs no entry in the index that keeps eventIds unique per app.
alter table message drop constraint message_app_id_event_id_key;
create unique index message_event_id_idx on message (app_id, event_id) where event_id is not null;
