-- The work queue gets a table of its own: one narrow row per pending delivery, with only what a claim reads and
-- writes. A claim, a retry and every move (pacing, parking) changed next_attempt_at, which the due index covered, so
-- each was a non-HOT update of the wide delivery row: a new entry in all four of its indexes. Here such an update
-- writes two (the key and the due index), and delivery's own updates (status, attempt count at each result) touch
-- no indexed column, so they can stay on their page (HOT) with no index entry at all.
-- delivery.next_attempt_at stays as the retry schedule's time for the API to show; the queue's is the truth.
-- msg_id, app_id and trigger_type are copied so that a claim need not read the delivery row at all.
create table delivery_queue (
    delivery_id     bigint primary key,
    endpoint_id     text not null,
    next_attempt_at timestamptz not null,
    attempt_count   int not null,
    fifo            boolean not null default false,
    msg_id          text not null,
    app_id          text not null,
    trigger_type    smallint not null default 0
) with (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_cost_delay = 0);

insert into delivery_queue (delivery_id, endpoint_id, next_attempt_at, attempt_count, fifo, msg_id, app_id, trigger_type)
select id, endpoint_id, coalesce(next_attempt_at, now()), attempt_count, fifo, msg_id, app_id, trigger_type
from delivery where status = 1;

create index delivery_queue_due_idx on delivery_queue (next_attempt_at);
-- the claim asks "is there an older pending delivery for this fifo endpoint?" for each candidate
create index delivery_queue_fifo_idx on delivery_queue (endpoint_id, delivery_id) where fifo;

drop index delivery_due_idx;
drop index delivery_fifo_head_idx;
-- with no index on the columns a result changes, delivery's updates can be HOT: leave room on each page for them
alter table delivery set (fillfactor = 70);

-- deleting an endpoint or message deletes its deliveries, and their queue rows with them
create or replace function herald_endpoint_deleted() returns trigger language plpgsql as $$
begin
    with removed as (delete from delivery where endpoint_id in (select id from gone) returning id)
    delete from delivery_queue where delivery_id in (select id from removed);
    delete from attempt where endpoint_id in (select id from gone);
    return null;
end $$;

create or replace function herald_message_deleted() returns trigger language plpgsql as $$
begin
    with removed as (delete from delivery where msg_id in (select id from gone) returning id)
    delete from delivery_queue where delivery_id in (select id from removed);
    delete from attempt where msg_id in (select id from gone);
    return null;
end $$;
