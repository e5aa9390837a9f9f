-- A batch of results updates every delivery it finishes in one statement, and a page cannot be pruned of the old
-- versions while that statement runs. At fillfactor 70 a page holds 33 deliveries (about 172 bytes each with Herald's
-- ids) and room for 14 new versions, so when a batch finished a whole page the other 19 updates left it: a new entry
-- in each of delivery's three indexes. In benchmark scenario 1 (BENCHMARKS.md, session 23) 42% of the updates were
-- not HOT. At 50 a page holds 23 deliveries and room for all 23 of their next versions. Only pages filled from now on
-- get the room.
alter table delivery set (fillfactor = 50);
