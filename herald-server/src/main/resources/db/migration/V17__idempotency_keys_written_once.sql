-- A publish's key is now written once, with its answer, in the message's own transaction (BENCHMARKS.md, session 22):
-- the update V16 left room for happens only on the rare routes that claim a key before they run. The room only made
-- each insert reach more pages, so the table is filled again.
alter table idempotency_key reset (fillfactor);
