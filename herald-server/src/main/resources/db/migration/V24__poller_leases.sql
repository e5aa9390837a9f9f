-- Svix's second poller consumer (GET /api/v1/app/{app}/polling-endpoint/{sink}/consumer/{consumer}, then POST …/commit):
-- a poll leases the messages it answers to the consumer for lease_duration_ms, and the consumer's place moves only when
-- it commits the offset of the last one it processed. Until then, and once the lease has run out, the next poll answers
-- them again. The lease records which entry each handed-out offset names, so a commit finds its entry whatever
-- retention has deleted since.
alter table poll_consumer
    add column committed_offset bigint,
    add column lease_until      timestamptz,
    add column lease_offsets    bigint[],
    add column lease_xids       bigint[],
    add column lease_seqs       bigint[];
