-- A paused endpoint's queue rows are parked: due at 'infinity', past every claim's reach in the due index, their own
-- due time kept in paused_due until the endpoint is resumed. Left due, they were read past (and filtered out) by every
-- claim of every node, and by the lag gauge: a paused endpoint with a million rows made each claim read a million.
alter table delivery_queue add column paused_due timestamptz;
-- the parked rows of one endpoint (its resume), and which endpoints have any (the sweep after a race, PauseStore)
create index delivery_queue_paused_idx on delivery_queue (endpoint_id) where paused_due is not null;

update delivery_queue q set paused_due = q.next_attempt_at, next_attempt_at = 'infinity'
where q.endpoint_id in (select p.endpoint_id from endpoint_pause p);
