-- Every request with an idempotency-key (the Svix SDKs send one with every POST) inserted into a btree on created_at,
-- always at its right edge: concurrent publishes queued on that one page. Keys arrive in time order, so a BRIN index
-- serves the retention sweep's range delete as well, and costs an insert next to nothing (BENCHMARKS.md, session 19).
drop index idempotency_key_created_idx;
create index idempotency_key_created_brin on idempotency_key using brin (created_at);
