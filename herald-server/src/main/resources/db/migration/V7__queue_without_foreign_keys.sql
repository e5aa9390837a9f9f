-- The queue tables (delivery, attempt) take a row per delivery and per try. Their foreign keys to message and
-- endpoint made every insert check the parent row and lock it FOR KEY SHARE; every publishing and recording
-- transaction locked the same endpoint row, so PostgreSQL built a MultiXact for it over and over. Measured on
-- this machine: 825 vs 1,091 publish transactions/s (50 messages each) with and without them.
-- What they gave is kept: deleting an endpoint or a message deletes its deliveries and attempts (one
-- statement per deleting statement, below). A row written for a parent deleted at that moment is left for
-- the claim (it cancels a delivery whose endpoint or message is gone) and for the retention sweep.
alter table delivery drop constraint delivery_msg_id_fkey, drop constraint delivery_endpoint_id_fkey;
alter table attempt drop constraint attempt_msg_id_fkey, drop constraint attempt_endpoint_id_fkey;

create function herald_endpoint_deleted() returns trigger language plpgsql as $$
begin
    delete from delivery where endpoint_id in (select id from gone);
    delete from attempt where endpoint_id in (select id from gone);
    return null;
end $$;
create trigger endpoint_deleted after delete on endpoint
    referencing old table as gone for each statement execute function herald_endpoint_deleted();

create function herald_message_deleted() returns trigger language plpgsql as $$
begin
    delete from delivery where msg_id in (select id from gone);
    delete from attempt where msg_id in (select id from gone);
    return null;
end $$;
create trigger message_deleted after delete on message
    referencing old table as gone for each statement execute function herald_message_deleted();
