-- Deleting an endpoint, an application or a polling endpoint removed everything that hung on it in the deleting
-- statement itself (the triggers of V9, V10 and V22): its deliveries, their queue rows and attempts, an application's
-- messages, a poller's entries. For an endpoint with 400,000 deliveries, still delivering, that took 28 s and then
-- died in a deadlock with the delivery recorder: a 503, nothing deleted, and the same again on every retry. Now the
-- delete removes the row alone and notes it here; the retention sweep (DeletePurge) removes the rest
-- in small batches that skip rows in use. Meanwhile claims pass over a deleted endpoint's queue rows
-- (DeliveryQueue.CLAIMABLE): cancelling them one claim at a time held up every other endpoint's deliveries.
create table purge_pending (
    kind       text collate "C" not null, -- 'endpoint', 'application' or 'poller'
    id         text collate "C" not null,
    deleted_at timestamptz not null,
    primary key (kind, id)
);

create or replace function herald_endpoint_deleted() returns trigger language plpgsql as $$
begin
    insert into purge_pending (kind, id, deleted_at) select 'endpoint', id, now() from gone on conflict do nothing;
    return null;
end $$;

create or replace function herald_application_deleted() returns trigger language plpgsql as $$
begin
    insert into purge_pending (kind, id, deleted_at) select 'application', id, now() from gone on conflict do nothing;
    return null;
end $$;

create or replace function herald_poller_deleted() returns trigger language plpgsql as $$
begin
    insert into purge_pending (kind, id, deleted_at) select 'poller', id, now() from gone on conflict do nothing;
    return null;
end $$;
