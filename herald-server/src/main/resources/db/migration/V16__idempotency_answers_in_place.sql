-- A key's row is written twice: claimed (scope, key, request hash) and then answered (status and response) in the
-- publish's transaction. With full pages the answer could not stay on the row's page, so every answer also wrote a new
-- entry into the primary key's btree (text keys) and the BRIN index: 17-19 µs per row, as much as the claim itself.
-- With room left on each page the answer is a HOT update: 9 µs per row measured on PostgreSQL 18 with batches of 80,
-- for 23% more table pages (BENCHMARKS.md, session 21). Keys are purged after 12 hours, so the table stays small.
alter table idempotency_key set (fillfactor = 20);
